import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from './clock.ts';
import { type AttemptAbortHandle, HedgeLostError, hedge } from './hedging.ts';

/** Attempts that settle when the test says so, and record whether they were aborted. */
function scriptedAttempts() {
  const attempts: { hedged: boolean; resolve: (v: string) => void; reject: (e: Error) => void; abortedWith?: Error }[] =
    [];
  const attempt = (hedged: boolean, handle: AttemptAbortHandle) =>
    new Promise<string>((resolve, reject) => {
      const entry = { hedged, resolve, reject, abortedWith: undefined as Error | undefined };
      handle.abort = (reason) => {
        entry.abortedWith = reason;
        reject(reason);
      };
      attempts.push(entry);
    });
  return { attempts, attempt };
}

test('no second attempt when the first answers within the delay', async () => {
  const clock = new FakeClock();
  const { attempts, attempt } = scriptedAttempts();
  const call = hedge(attempt, 100, clock, () => {});
  attempts[0].resolve('first');
  assert.equal(await call, 'first');
  await clock.advance(200);
  assert.equal(attempts.length, 1);
  assert.equal(clock.pendingTimers, 0);
});

test('the faster of two attempts wins and the slower is aborted', async () => {
  const clock = new FakeClock();
  const { attempts, attempt } = scriptedAttempts();
  let hedges = 0;
  const call = hedge(attempt, 100, clock, () => hedges++);
  await clock.advance(100);
  assert.deepEqual(
    attempts.map((a) => a.hedged),
    [false, true],
  );
  attempts[1].resolve('second');
  assert.equal(await call, 'second');
  assert.ok(attempts[0].abortedWith instanceof HedgeLostError);
  assert.equal(hedges, 1);
});

test('a failure before the hedge starts ends the call; after it, the other attempt can still win', async () => {
  const clock = new FakeClock();
  const early = scriptedAttempts();
  const failedEarly = hedge(early.attempt, 100, clock, () => {});
  early.attempts[0].reject(new Error('refused'));
  await assert.rejects(failedEarly, /refused/);
  assert.equal(clock.pendingTimers, 0);

  const late = scriptedAttempts();
  const recovered = hedge(late.attempt, 100, clock, () => {});
  await clock.advance(100);
  late.attempts[0].reject(new Error('reset'));
  late.attempts[1].resolve('second');
  assert.equal(await recovered, 'second');
});
