import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Db } from '@/lib/db';
import type { CallSummary } from '@/lib/resilience';
import { createMigratedDatabase, type TestDatabase } from '@/test/support/database';
import { TelemetryRecorder } from './recorder';

// On the suite's provider (BREAKWATER_TEST_PROVIDER=postgresql runs it on PostgreSQL): a request id a caller
// sends again must give one call-log row per call, each with its own attempts.
let database: TestDatabase;
let db: Db;

function call(requestId: string, callId: string | undefined, attempts: number): CallSummary {
  const startedAt = Date.now();
  return {
    integration: 'payments',
    requestId,
    ...(callId !== undefined && { callId }),
    method: 'POST',
    route: '/charges',
    path: '/charges',
    startedAt,
    durationMs: 12,
    outcome: 'server_error',
    status: 500,
    attempts: Array.from({ length: attempts }, (_, i) => ({
      number: i + 1,
      startedAt: startedAt + i,
      durationMs: 4,
      status: 500,
      delayBeforeMs: 0,
      spanId: `b7ad6b716920333${i}`,
    })),
    retries: attempts - 1,
    cache: 'bypass',
    rateLimitWaitMs: 0,
    rateLimited: false,
    trace: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: '01' },
    requestHeaders: {},
  };
}

before(async () => {
  ({ database, db } = await createMigratedDatabase());
  await db.integration.create({
    data: { workspaceId: 'default', id: 'int_pay', slug: 'payments', name: 'Payments', baseUrl: 'http://x' },
  });
});

after(async () => {
  await db.$disconnect();
  await database.drop();
});

test('the same request id on two calls with their own call ids: two rows, each with its attempts', async () => {
  const recorder = new TelemetryRecorder(db, { instance: 'test-call-id' });
  recorder.record('int_pay', call('caller-retry-1', 'call-a', 1));
  recorder.record('int_pay', call('caller-retry-1', 'call-b', 3));
  await recorder.flush();
  assert.equal(recorder.stats.droppedCallLogRows, 0, 'no row is dropped on the repeated request id');
  const rows = await db.callLog.findMany({
    where: { requestId: 'caller-retry-1' },
    select: { id: true, requestId: true, attemptCount: true, attempts: { select: { number: true } } },
    orderBy: { id: 'asc' },
  });
  assert.deepEqual(
    rows.map((r) => ({ ...r, attempts: r.attempts.map((a) => a.number).sort() })),
    [
      { id: 'call-a', requestId: 'caller-retry-1', attemptCount: 1, attempts: [1] },
      { id: 'call-b', requestId: 'caller-retry-1', attemptCount: 3, attempts: [1, 2, 3] },
    ],
  );
});

test('without a call id the request id is the key, and is stored as the request id too', async () => {
  const recorder = new TelemetryRecorder(db, { instance: 'test-request-id' });
  recorder.record('int_pay', call('generated-1', undefined, 2));
  await recorder.flush();
  const row = await db.callLog.findUnique({
    where: { id: 'generated-1' },
    select: { requestId: true, _count: { select: { attempts: true } } },
  });
  assert.deepEqual(row, { requestId: 'generated-1', _count: { attempts: 2 } });
});
