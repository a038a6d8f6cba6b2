import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { durationMs } from './duration';
import { type Condition, evaluate, type InstanceState, initialState, notificationDue } from './evaluator';
import { DEFAULT_RULES } from './runner';

const T0 = 1_700_000_000_000;
const S = 1000;

/** Drives one instance through evaluations every 30 s on a fake clock, with injected values. */
function run(condition: Partial<Condition>, values: (number | null)[], intervalMs = 30 * S) {
  const full: Condition = {
    comparator: '>',
    threshold: 5,
    forMs: 60 * S,
    keepFiringForMs: 0,
    noData: 'ok',
    ...condition,
  };
  let state: InstanceState = initialState(T0);
  const states: string[] = [];
  const transitions: { from: string; to: string; at: number; value: number | null }[] = [];
  values.forEach((value, i) => {
    const now = T0 + i * intervalMs;
    const step = evaluate(state, value, full, now);
    state = step.next;
    states.push(state.state);
    if (step.transition) transitions.push(step.transition);
  });
  return { states, transitions, state };
}

describe('alert state machine', () => {
  test('pending when the condition first holds, firing once it has held for the for-duration', () => {
    const { states, transitions } = run({ forMs: 60 * S }, [1, 9, 9, 9, 9]);
    assert.deepEqual(states, ['inactive', 'pending', 'pending', 'firing', 'firing']);
    assert.deepEqual(transitions, [
      { from: 'inactive', to: 'pending', at: T0 + 30 * S, value: 9 },
      { from: 'pending', to: 'firing', at: T0 + 90 * S, value: 9 },
    ]);
  });

  test('a for-duration of zero fires at once', () => {
    assert.deepEqual(run({ forMs: 0 }, [9]).states, ['firing']);
  });

  test('no flapping: a value hovering at the threshold for less than the for-duration never fires', () => {
    const hovering = [5.1, 4.9, 5.2, 5, 5.3, 4.8, 5.1, 5.0, 5.4, 4.9];
    const { states, transitions } = run({ forMs: 60 * S }, hovering);
    assert.ok(!states.includes('firing'));
    assert.deepEqual(
      transitions.map((t) => `${t.from}>${t.to}`),
      [
        'inactive>pending',
        'pending>inactive',
        'inactive>pending',
        'pending>inactive',
        'inactive>pending',
        'pending>inactive',
        'inactive>pending',
        'pending>inactive',
        'inactive>pending',
        'pending>inactive',
      ],
    );
  });

  test('resolves at the first evaluation where the condition no longer holds', () => {
    const { states, transitions } = run({ forMs: 0 }, [9, 9, 2, 2, 9]);
    assert.deepEqual(states, ['firing', 'firing', 'resolved', 'resolved', 'firing']);
    assert.deepEqual(transitions[1], { from: 'firing', to: 'resolved', at: T0 + 60 * S, value: 2 });
    assert.deepEqual(transitions[2], { from: 'resolved', to: 'firing', at: T0 + 120 * S, value: 9 });
  });

  test('keep-firing-for holds the alert through a short dip and resolves after it', () => {
    const { states } = run({ forMs: 0, keepFiringForMs: 60 * S }, [9, 2, 9, 2, 2, 2]);
    // cleared at 30 s (held), breaching again at 60 s, cleared at 90 s (held), resolved at 120 s: 60 s after
    // the last breach
    assert.deepEqual(states, ['firing', 'firing', 'firing', 'firing', 'resolved', 'resolved']);
  });

  test('no data: ok resolves, alerting fires, keep_last changes nothing', () => {
    assert.deepEqual(run({ forMs: 0, noData: 'ok' }, [9, null]).states, ['firing', 'resolved']);
    assert.deepEqual(run({ forMs: 30 * S, noData: 'alerting' }, [null, null]).states, ['pending', 'firing']);
    const kept = run({ forMs: 0, noData: 'keep_last' }, [9, null, null, 2]);
    assert.deepEqual(kept.states, ['firing', 'firing', 'firing', 'resolved']);
    assert.equal(kept.transitions.length, 2);
    assert.equal(run({ noData: 'keep_last' }, [null, null]).transitions.length, 0);
  });

  test('comparators below a threshold fire when the value drops (cache hit ratio under 50%)', () => {
    assert.deepEqual(run({ comparator: '<', threshold: 50, forMs: 0 }, [80, 40]).states, ['inactive', 'firing']);
    assert.deepEqual(run({ comparator: '>=', threshold: 1, forMs: 0 }, [1]).states, ['firing']);
    assert.deepEqual(run({ comparator: '<=', threshold: 1, forMs: 0 }, [2]).states, ['inactive']);
  });
});

describe('notifications owed by an evaluation', () => {
  const condition: Condition = { comparator: '>', threshold: 5, forMs: 0, keepFiringForMs: 0, noData: 'ok' };
  const repeatMs = 3600 * S;

  function episode(values: number[], silencedAt: (i: number) => boolean) {
    let state = initialState(T0);
    const sent: string[] = [];
    values.forEach((value, i) => {
      const now = T0 + i * 30 * 60 * S;
      const { next } = evaluate(state, value, condition, now);
      const due = notificationDue(state, next, silencedAt(i), repeatMs, now);
      if (due === 'firing') next.notifiedAt = now;
      if (due === 'resolved') next.notifiedAt = null;
      sent.push(due ?? '-');
      state = next;
    });
    return sent;
  }

  test('firing once, again after the repeat interval, resolved once', () => {
    assert.deepEqual(
      episode([9, 9, 9, 9, 2, 2], () => false),
      ['firing', '-', 'firing', '-', 'resolved', '-'],
    );
  });

  test('a silenced instance still changes state but sends nothing, and is announced when the silence ends', () => {
    assert.deepEqual(
      episode([9, 9, 9, 2], (i) => i < 2),
      ['-', '-', 'firing', 'resolved'],
    );
  });

  test('an episode that was only ever silenced ends without a resolved message', () => {
    assert.deepEqual(
      episode([9, 9, 2], (i) => i < 2),
      ['-', '-', '-'],
    );
  });
});

describe('the default rules are quiet on designed behaviour', () => {
  const p99 = DEFAULT_RULES.find((rule) => rule.name === 'Slow p99')!;
  const defaults: Partial<Condition> = {
    threshold: p99.threshold,
    forMs: durationMs(p99.for!),
    keepFiringForMs: durationMs(p99.keepFiringFor!),
  };
  const firings = (states: string[]) => states.filter((s, i) => s === 'firing' && states[i - 1] !== 'firing').length;

  test('a p99 above its threshold 2 minutes in every 3 fired three times in 9 minutes; the default never fires', () => {
    const flapping = Array.from({ length: 18 }, (_, i) => (i % 6 < 4 ? 2500 : 1500));
    const before = run({ threshold: 2000, forMs: 60 * S, keepFiringForMs: 0 }, flapping);
    assert.equal(firings(before.states), 3);
    assert.equal(firings(run(defaults, flapping).states), 0);
  });

  test('once firing, a short dip below the threshold keeps it firing (keep-firing-for 5m), a long one resolves it', () => {
    const dip = [...Array(12).fill(2500), 1500, 2500, 2500];
    assert.deepEqual(run(defaults, dip).states.slice(10), ['firing', 'firing', 'firing', 'firing', 'firing']);
    assert.deepEqual(run({ ...defaults, keepFiringForMs: 0 }, dip).states.slice(10, 13), [
      'firing',
      'firing',
      'resolved',
    ]);
    const recovered = run(defaults, [...Array(12).fill(2500), ...Array(10).fill(1500)]).states;
    assert.equal(recovered.at(-2), 'firing', 'still firing 4.5 minutes after the last breach');
    assert.equal(recovered.at(-1), 'resolved', 'resolved 5 minutes after the last breach');
  });
});
