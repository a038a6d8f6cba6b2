import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Db } from '@/lib/db';
import { createMigratedDatabase, type TestDatabase } from '@/test/support/database';
import type { TokenOwner } from './tokens';
import { admitTokenCall, flushTokenUsage, loadTokenUsage, quotaResetsAt, utcMonth } from './usage';

let database: TestDatabase;
let db: Db;

before(async () => {
  ({ database, db } = await createMigratedDatabase());
});

after(async () => {
  await db.$disconnect();
  await database.drop();
});

const owner = (tokenId: string, grants: Partial<TokenOwner> = {}): TokenOwner => ({
  tokenId,
  userId: 'u',
  workspaceId: 'default',
  scopes: ['gateway'],
  integrations: null,
  expiresAt: null,
  rateLimits: null,
  quotas: null,
  ...grants,
});

test('months and their resets are UTC', () => {
  const lastSecond = Date.UTC(2026, 11, 31, 23, 59, 59);
  assert.equal(utcMonth(lastSecond), '2026-12');
  assert.equal(quotaResetsAt(lastSecond).toISOString(), '2027-01-01T00:00:00.000Z');
});

test('a token bucket per token and integration: the burst, then a refusal saying when, refilled with time', () => {
  const limited = owner('rate-1', { rateLimits: { '*': 2 } });
  const now = Date.UTC(2026, 11, 6, 12);
  assert.equal(admitTokenCall(limited, 'a', now), null);
  assert.equal(admitTokenCall(limited, 'a', now), null);
  assert.deepEqual(admitTokenCall(limited, 'a', now), {
    error: 'rate limit of 2/min for this token',
    retryAfterSeconds: 30,
  });
  assert.equal(admitTokenCall(limited, 'b', now), null, 'another integration has its own bucket');
  assert.equal(admitTokenCall(owner('rate-2', { rateLimits: { '*': 2 } }), 'a', now), null, 'another token too');
  assert.equal(admitTokenCall(limited, 'a', now + 30_000), null, 'one call back after 30 s');
});

test('a monthly quota: refused once spent, counted per month, kept through a flush and a load', async () => {
  const capped = owner('quota-1', { quotas: { a: 2 } });
  const december = Date.UTC(2026, 11, 6);
  assert.equal(admitTokenCall(capped, 'a', december), null);
  assert.equal(admitTokenCall(capped, 'a', december), null);
  const refused = admitTokenCall(capped, 'a', december);
  assert.equal(refused?.error, 'monthly quota of 2 calls to a spent for this token; resets 2027-01-01T00:00:00.000Z');
  assert.equal(admitTokenCall(capped, 'b', december), null, 'no quota on b');
  assert.equal(admitTokenCall(capped, 'a', Date.UTC(2027, 0, 1)), null, 'a new month starts at zero');

  await flushTokenUsage(db);
  const stored = await db.tokenUsage.findMany({
    where: { tokenId: 'quota-1' },
    orderBy: [{ month: 'asc' }, { integration: 'asc' }],
  });
  assert.deepEqual(
    stored.map((row) => [row.integration, row.month, row.calls]),
    [
      ['a', '2026-12', 2],
      ['b', '2026-12', 1],
      ['a', '2027-01', 1],
    ],
  );
  // Another instance's calls, then this one reads the month back: both count.
  await db.tokenUsage.update({
    where: { tokenId_integration_month: { tokenId: 'quota-1', integration: 'b', month: '2026-12' } },
    data: { calls: { increment: 5 } },
  });
  await loadTokenUsage(db, december);
  const more = owner('quota-1', { quotas: { b: 7 } });
  assert.equal(admitTokenCall(more, 'b', december), null, 'the 7th');
  assert.match(admitTokenCall(more, 'b', december)?.error ?? '', /monthly quota of 7 calls to b spent/);
  assert.equal(await flushTokenUsage(db), 1);
  assert.equal(await flushTokenUsage(db), 0, 'nothing left to write');
});
