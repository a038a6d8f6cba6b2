// Spawned by lib/telemetry/recorder-thread.test.ts: records failed calls of int_pay, flushes, says so on stdout
// ("flushed <failed flushes>") and then waits to be killed. Arguments: the DATABASE_URL and the number of calls.
import { createDb } from '@/lib/db';
import { TelemetryRecorder } from '@/lib/telemetry';
import { failedCall } from './calls';

const [url, count] = process.argv.slice(2);
const recorder = new TelemetryRecorder(createDb(url), { instance: 'killed' });
for (let i = 0; i < Number(count); i++) recorder.record('int_pay', failedCall(i));
await recorder.flush();
process.stdout.write(`flushed ${recorder.stats.failedFlushes}\n`);
setInterval(() => {}, 60_000);
