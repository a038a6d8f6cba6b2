import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BreakerChange, type BreakerSync, CircuitBreaker } from './breaker.ts';
import { FakeClock } from './clock.ts';
import { CallContext } from './context.ts';
import { CircuitOpenError, NetworkError } from './errors.ts';
import { EventBus, type EventOf } from './events.ts';
import { type PolicyInput, parsePolicy } from './options.ts';
import { policyEnv } from './policy.ts';

function setup(breaker: PolicyInput['breaker'] = {}) {
  const clock = new FakeClock();
  const events = new EventBus();
  const transitions: EventOf<'breaker.transition'>[] = [];
  events.on('breaker.transition', (e) => transitions.push(e));
  const circuit = new CircuitBreaker(parsePolicy({ breaker }).breaker, policyEnv({ clock, events, name: 'payments' }));
  const call = (status: number) => circuit.run(async () => ({ status, headers: {} }), new CallContext());
  const fail = () => call(503);
  const succeed = () => call(200);
  return { clock, circuit, transitions, call, fail, succeed };
}

test('consecutive mode opens after N failures in a row; a success in between resets the count', async () => {
  const { circuit, fail, succeed, transitions } = setup({ consecutiveFailures: 3 });
  await fail();
  await fail();
  await succeed();
  await fail();
  await fail();
  assert.equal(circuit.state, 'closed');
  await fail();
  assert.equal(circuit.state, 'open');
  assert.deepEqual(
    { integration: transitions[0].integration, from: transitions[0].from, to: transitions[0].to },
    { integration: 'payments', from: 'closed', to: 'open' },
  );
  assert.match(transitions[0].reason, /3 consecutive failures/);
  assert.equal(typeof transitions[0].at, 'number');
});

test('an open breaker fails fast without calling, and says when to retry', async () => {
  const { circuit, clock, fail } = setup({ consecutiveFailures: 1, openMs: 30_000 });
  await fail();
  await clock.advance(10_000);
  let called = false;
  await assert.rejects(
    circuit.run(async () => {
      called = true;
    }, new CallContext()),
    (error: CircuitOpenError) => error instanceof CircuitOpenError && error.retryAfterMs === 20_000,
  );
  assert.equal(called, false);
});

test('after the open duration it admits limited probes and closes after enough successes', async () => {
  const { circuit, clock, fail, succeed, transitions } = setup({
    consecutiveFailures: 1,
    openMs: 1000,
    halfOpenProbes: 1,
    closeAfterSuccesses: 2,
  });
  await fail();
  await clock.advance(1000);
  assert.equal(circuit.state, 'half-open');

  let releaseProbe: () => void = () => {};
  const probe = circuit.run(
    () => new Promise((resolve) => (releaseProbe = () => resolve({ status: 200, headers: {} }))),
    new CallContext(),
  );
  await assert.rejects(succeed(), CircuitOpenError, 'only one probe at a time');
  releaseProbe();
  await probe;
  assert.equal(circuit.state, 'half-open');
  await succeed();
  assert.equal(circuit.state, 'closed');
  assert.deepEqual(
    transitions.map((t) => `${t.from}->${t.to}`),
    ['closed->open', 'open->half-open', 'half-open->closed'],
  );
});

test('a failed probe opens the breaker again', async () => {
  const { circuit, clock, fail } = setup({ consecutiveFailures: 1, openMs: 1000 });
  await fail();
  await clock.advance(1000);
  await fail();
  assert.equal(circuit.state, 'open');
  assert.equal(circuit.retryAfterMs, 1000);
});

test('failure-rate mode waits for the minimum throughput, then opens at the threshold', async () => {
  const { circuit, fail, succeed } = setup({
    mode: 'failureRate',
    failureRateThreshold: 0.5,
    minimumThroughput: 10,
    window: { kind: 'count', size: 10 },
  });
  for (let i = 0; i < 4; i++) await fail();
  assert.equal(circuit.state, 'closed', '4 failures of 4 calls is below the minimum throughput');
  for (let i = 0; i < 5; i++) await succeed();
  await fail();
  assert.equal(circuit.state, 'open', '5 failures of 10 calls is 50%');
});

test('the count window forgets calls older than its size', async () => {
  const { circuit, fail, succeed } = setup({
    mode: 'failureRate',
    failureRateThreshold: 0.5,
    minimumThroughput: 4,
    window: { kind: 'count', size: 4 },
  });
  await fail();
  await succeed();
  await succeed();
  await succeed();
  await succeed();
  await fail();
  assert.equal(circuit.state, 'closed', '1 failure in the last 4 calls');
});

test('the time window forgets calls older than its duration', async () => {
  const { circuit, clock, fail, succeed } = setup({
    mode: 'failureRate',
    failureRateThreshold: 0.5,
    minimumThroughput: 4,
    window: { kind: 'time', ms: 10_000 },
  });
  await fail();
  await fail();
  await fail();
  await clock.advance(11_000);
  await succeed();
  await succeed();
  await succeed();
  await fail();
  assert.equal(circuit.state, 'closed', 'the old failures left the window');
  await fail();
  await fail();
  assert.equal(circuit.state, 'open');
});

test('slow calls count as failures', async () => {
  const { circuit, clock } = setup({ consecutiveFailures: 2, slowCallMs: 500 });
  const slow = () =>
    circuit.run(async () => {
      await clock.advance(600);
      return { status: 200, headers: {} };
    }, new CallContext());
  await slow();
  await slow();
  assert.equal(circuit.state, 'open');
});

test('network errors count as failures; 4xx answers and caller cancels do not', async () => {
  const { circuit, call } = setup({ consecutiveFailures: 2 });
  await call(404);
  await call(400);
  await call(404);
  assert.equal(circuit.state, 'closed');
  const networkFailure = () =>
    circuit.run(() => Promise.reject(new NetworkError('refused', new Error('ECONNREFUSED'))), new CallContext());
  await assert.rejects(networkFailure());
  await assert.rejects(networkFailure());
  assert.equal(circuit.state, 'open');
});

test('isolate holds the breaker open until reset; forceOpen opens for the open duration', async () => {
  const { circuit, clock, succeed } = setup({ openMs: 1000 });
  circuit.isolate();
  await clock.advance(60_000);
  assert.equal(circuit.state, 'isolated');
  await assert.rejects(succeed(), (error: CircuitOpenError) => error.isolated);
  circuit.reset();
  assert.equal(circuit.state, 'closed');
  await succeed();
  circuit.forceOpen();
  assert.equal(circuit.state, 'open');
  await clock.advance(1000);
  assert.equal(circuit.state, 'half-open');
});

test('dry-run mode reports transitions but lets every call through', async () => {
  const { circuit, fail, succeed, transitions } = setup({ consecutiveFailures: 1, dryRun: true });
  await fail();
  assert.equal(circuit.state, 'open');
  const result = await succeed();
  assert.equal(result.status, 200);
  assert.equal(transitions[0].to, 'open');
});

test('new settings keep the current state', async () => {
  const { circuit, fail } = setup({ consecutiveFailures: 1 });
  await fail();
  circuit.configure(parsePolicy({ breaker: { consecutiveFailures: 10, openMs: 5000 } }).breaker);
  assert.equal(circuit.state, 'open');
});

/** A BreakerSync that records what it is told and grants probes as the test says. */
function recordingSync(grantProbe: boolean) {
  const published: BreakerChange[] = [];
  const claims: [number, number][] = [];
  const sync: BreakerSync = {
    publish: (change) => published.push(change),
    claimProbe: async (openUntil, probes) => {
      claims.push([openUntil, probes]);
      return grantProbe;
    },
  };
  return { sync, published, claims };
}

test('a shared breaker publishes open, closed and isolated, never half-open, and follows what others publish', async () => {
  const { clock, circuit, fail, succeed, transitions } = setup({ consecutiveFailures: 1, openMs: 1000 });
  const { sync, published, claims } = recordingSync(true);
  circuit.shareWith(sync);
  await fail();
  assert.deepEqual(published, [{ state: 'open', reason: '1 consecutive failures', openUntil: clock.now() + 1000 }]);
  await clock.advance(1000);
  await succeed();
  assert.deepEqual(claims, [[clock.now(), 1]], 'the probe of the open period was claimed from the cluster');
  assert.deepEqual(
    published.map((p) => p.state),
    ['open', 'closed'],
  );
  circuit.reset();
  assert.deepEqual(published.at(-1), { state: 'closed', reason: 'reset manually', openUntil: 0 });

  circuit.follow({ state: 'isolated', reason: 'isolated manually', openUntil: 0 });
  assert.equal(circuit.state, 'isolated');
  assert.equal(transitions.at(-1)?.reason, 'isolated manually (on another instance)');
  assert.equal(published.length, 3, 'a followed transition is not published again');
  await assert.rejects(succeed(), CircuitOpenError);
});

test('a half-open probe the cluster gave to another instance is refused here', async () => {
  const { clock, circuit, fail, succeed } = setup({ consecutiveFailures: 1, openMs: 1000 });
  circuit.shareWith(recordingSync(false).sync);
  await fail();
  await clock.advance(1000);
  assert.equal(circuit.state, 'half-open');
  await assert.rejects(succeed(), CircuitOpenError);
  assert.equal(circuit.state, 'half-open', 'still waiting for the other instance’s probe');
});

test("scope 'local' ignores an attached sync both ways", async () => {
  const { circuit, fail } = setup({ consecutiveFailures: 1, scope: 'local' });
  const { sync, published } = recordingSync(true);
  circuit.shareWith(sync);
  await fail();
  assert.equal(circuit.state, 'open');
  assert.deepEqual(published, []);
  circuit.follow({ state: 'closed', reason: 'probes succeeded', openUntil: 0 });
  assert.equal(circuit.state, 'open');
});

test('an open period heard twice from the cluster is one transition; a later one is another', async () => {
  const { clock, circuit, transitions } = setup();
  circuit.shareWith(recordingSync(true).sync);
  const change = { state: 'open' as const, reason: '5 consecutive failures', openUntil: clock.now() + 30_000 };
  circuit.follow(change);
  circuit.follow(change);
  assert.equal(transitions.length, 1);
  assert.equal(circuit.retryAfterMs, 30_000);
  circuit.follow({ ...change, openUntil: change.openUntil + 1000 });
  assert.equal(transitions.length, 2);
});
