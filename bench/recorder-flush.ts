// `npx tsx bench/recorder-flush.ts`: how long a telemetry flush holds the event loop. One second of the
// gateway bench's traffic (5000 successes, 5 of them kept in the call log, and one failure) is recorded, then
// flushed to a real SQLite file while a setImmediate loop measures the longest gap between its turns, which
// is what a request arriving during the flush would wait (on a loaded machine it includes the time the
// process is not scheduled at all). 30 flushes; median and worst. Interleaved in one run on this 2-core
// machine (load average 5-7), the flush committed by Prisma's better-sqlite3 adapter on the main thread (before
// lib/db/sqlite-writer.ts) measured medians of 19.3 and 23.2 ms (worst 548 and 80 ms), the writer thread's
// 11.4 and 2.9 ms (worst 28 and 9.6 ms); the recorder's own main-thread work is about 0.2 ms a flush
// (--cpu-prof).
import { applyMigrations, createDb } from '@/lib/db';
import { TelemetryRecorder } from '@/lib/telemetry';
import { failedCall } from '@/test/support/calls';
import { createTestDatabase } from '@/test/support/database';

const ROUNDS = 30;
const database = await createTestDatabase('sqlite');
await applyMigrations(database.url);
const db = createDb(database.url);
await db.integration.create({
  data: { workspaceId: 'default', id: 'int_pay', slug: 'payments', name: 'Payments', baseUrl: 'http://x' },
});
const recorder = new TelemetryRecorder(db, { instance: 'bench-flush' });
const longest: number[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < 5000; i++) recorder.record('int_pay', failedCall(i, { outcome: 'success', status: 200 }));
    recorder.record('int_pay', failedCall(0));
    let last = performance.now();
    let max = 0;
    let running = true;
    const turn = () => {
      const now = performance.now();
      max = Math.max(max, now - last);
      last = now;
      if (running) setImmediate(turn);
    };
    setImmediate(turn);
    await recorder.flush();
    running = false;
    await new Promise((resolve) => setImmediate(resolve));
    longest.push(max);
  }
} finally {
  await db.$disconnect();
  await database.drop();
}
longest.sort((a, b) => a - b);
console.log(
  `longest event-loop block during a flush (${ROUNDS} flushes of 5001 calls): median ${longest[ROUNDS >> 1].toFixed(2)} ms, worst ${longest[ROUNDS - 1].toFixed(2)} ms; failed flushes ${recorder.stats.failedFlushes}`,
);
