import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createMigratedDatabase, type TestDatabase } from '../../test/support/database';
import type { Db } from './client';
import { acquireLease, confirmLease, releaseLease } from './lease';

// The alert evaluator's lease on a real database (SQLite, or PostgreSQL with BREAKWATER_TEST_PROVIDER).
let database: TestDatabase;
let db: Db;
const T0 = Date.parse('2026-12-06T05:00:00Z');
const at = (ms: number) => new Date(T0 + ms);

before(async () => {
  ({ database, db } = await createMigratedDatabase());
});
after(async () => {
  await db.$disconnect();
  await database.drop();
});

test('one holder at a time; another takes the lease only after it expires, with a larger fencing token', async () => {
  const a = await acquireLease(db, 'evaluator', 'a', 1000, at(0));
  assert.deepEqual(a, { name: 'evaluator', holder: 'a', token: 1 });
  assert.equal(await acquireLease(db, 'evaluator', 'b', 1000, at(500)), null, 'b waits while a holds it');
  assert.deepEqual(await acquireLease(db, 'evaluator', 'a', 1000, at(900)), a, 'a renews with the same token');
  assert.equal(await acquireLease(db, 'evaluator', 'b', 1000, at(1800)), null, "a's renewal moved the expiry");
  const b = await acquireLease(db, 'evaluator', 'b', 1000, at(1901));
  assert.deepEqual(b, { name: 'evaluator', holder: 'b', token: 2 });
  assert.equal(await confirmLease(db, a!, 1000, at(1950)), false, 'the old holder is fenced off');
  assert.equal(await confirmLease(db, b!, 1000, at(1950)), true);
});

test('of instances racing for an expired lease exactly one wins', async () => {
  await acquireLease(db, 'race', 'old', 1000, at(0));
  const results = await Promise.all(
    ['x', 'y', 'z', 'w'].map((holder) => acquireLease(db, 'race', holder, 1000, at(5000))),
  );
  const winners = results.filter((r) => r !== null);
  assert.equal(winners.length, 1);
  assert.equal(winners[0]!.token, 2);
  const fresh = await Promise.all(['p', 'q', 'r'].map((holder) => acquireLease(db, 'fresh', holder, 1000, at(0))));
  assert.equal(fresh.filter((r) => r !== null).length, 1, 'a lease nobody held yet is created once');
});

test('a holder whose lease lapsed with no one taking it keeps its token: its evaluation in progress stands', async () => {
  const a = await acquireLease(db, 'lapsed', 'a', 1000, at(0));
  assert.equal(await confirmLease(db, a!, 1000, at(5000)), true, 'no other holder wrote since');
  assert.deepEqual(await acquireLease(db, 'lapsed', 'a', 1000, at(9000)), a);
  const b = await acquireLease(db, 'lapsed', 'b', 1000, at(20_000));
  assert.equal(b!.token, 2);
  assert.equal(await confirmLease(db, a!, 1000, at(20_001)), false);
  assert.equal(await acquireLease(db, 'lapsed', 'a', 1000, at(20_002)), null, "b's lease holds");
});

test('a released lease is taken at once by another instance', async () => {
  const a = await acquireLease(db, 'released', 'a', 60_000, at(0));
  await releaseLease(db, a!);
  assert.deepEqual(await acquireLease(db, 'released', 'b', 60_000, at(10)), {
    name: 'released',
    holder: 'b',
    token: 2,
  });
});
