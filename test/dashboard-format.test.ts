import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { niceTicks, timeTicks } from '@/components/charts/ticks';
import { rangeFromParams, rangeToParams } from '@/components/filters/range';

// The dashboard's pure pieces: chart ticks, the one timestamp format, the range a URL names.

// Timestamps read the process's zone, and format.ts reads it when loaded: set it first, then load it.
process.env.TZ = 'UTC';
const { formatTime, tickFormatter } = await import('@/components/ui/format');

const MIN = 60_000;
const at = (iso: string) => Date.parse(iso);

describe('timeTicks', () => {
  test('an hour gets ticks every 10 minutes on round local times, not where the range starts', () => {
    const ticks = timeTicks(at('2026-12-06T10:07:13Z'), at('2026-12-06T11:07:13Z'), 6, 0);
    assert.deepEqual(
      ticks.map((t) => new Date(t).toISOString().slice(11, 16)),
      ['10:10', '10:20', '10:30', '10:40', '10:50', '11:00'],
    );
  });

  test('ticks land on the round times of the viewer’s zone (UTC+5:30 here)', () => {
    const ticks = timeTicks(at('2026-12-06T00:00:00Z'), at('2026-12-07T00:00:00Z'), 6, 330);
    // every 6 h in local time: 05:30 UTC is 11:00 local; 00:30 UTC is 06:00 local
    assert.deepEqual(
      ticks.map((t) => new Date(t + 330 * MIN).toISOString().slice(11, 16)),
      ['06:00', '12:00', '18:00', '00:00'],
    );
  });

  test('a zoom of three minutes still gets ticks, at whole half-minutes', () => {
    const ticks = timeTicks(at('2026-12-06T10:00:10Z'), at('2026-12-06T10:03:10Z'), 6, 0);
    assert.deepEqual(
      ticks.map((t) => new Date(t).toISOString().slice(14, 19)),
      ['00:30', '01:00', '01:30', '02:00', '02:30', '03:00'],
    );
  });

  test('an empty or inverted range has no ticks', () => {
    assert.deepEqual(timeTicks(5, 5), []);
    assert.deepEqual(timeTicks(10, 5), []);
  });
});

describe('niceTicks', () => {
  test('round steps from zero up to at least the highest value', () => {
    assert.deepEqual(niceTicks(137, 4), [0, 50, 100, 150]);
    assert.deepEqual(niceTicks(0.05, 4), [0, 0.02, 0.04, 0.06]);
    assert.deepEqual(niceTicks(0.04, 4), [0, 0.01, 0.02, 0.03, 0.04]);
    assert.deepEqual(niceTicks(0.3, 4), [0, 0.1, 0.2, 0.3]);
    assert.deepEqual(niceTicks(1, 4), [0, 0.25, 0.5, 0.75, 1]);
  });

  test('whole things never get a tick between two of them', () => {
    assert.deepEqual(niceTicks(3, 4, true), [0, 1, 2, 3]);
    assert.deepEqual(niceTicks(1, 4, true), [0, 1]);
  });

  test('nothing to show still gives an axis from 0 to 1', () => {
    assert.deepEqual(niceTicks(0, 4), [0, 0.25, 0.5, 0.75, 1]);
    assert.deepEqual(niceTicks(Number.NaN, 4, true), [0, 1]);
  });
});

describe('formatTime', () => {
  test('every timestamp says its zone; the date comes first when asked', () => {
    const instant = at('2026-12-06T05:12:03Z');
    assert.equal(formatTime(instant), '05:12:03 UTC');
    assert.equal(formatTime(instant, true), '2026-12-06 05:12:03 UTC');
    assert.equal(formatTime('2026-12-06T05:12:03.000Z', true), '2026-12-06 05:12:03 UTC');
  });

  test('chart ticks show seconds only when zoomed in to a few minutes', () => {
    const instant = at('2026-12-06T05:12:03Z');
    assert.equal(tickFormatter(3 * MIN)(instant), '05:12:03');
    assert.equal(tickFormatter(60 * MIN)(instant), '05:12');
    assert.equal(tickFormatter(7 * 86_400_000)(instant), '12-06');
  });
});

describe('the range in the URL', () => {
  test('a preset and a zoom each survive a round trip through the query, beside other parameters', () => {
    const base = new URLSearchParams('ws=acme');
    const preset = rangeToParams({ preset: '6h' }, base);
    assert.equal(preset.toString(), 'ws=acme&range=6h');
    assert.deepEqual(rangeFromParams(preset, '1h'), { preset: '6h' });

    const zoom = { preset: 'custom' as const, from: at('2026-12-06T05:00:00Z'), to: at('2026-12-06T05:04:00Z') };
    const zoomed = rangeToParams(zoom, preset);
    assert.equal(zoomed.get('range'), null, 'a zoom replaces the preset');
    assert.equal(zoomed.get('ws'), 'acme');
    assert.deepEqual(rangeFromParams(zoomed, '1h'), zoom);
  });

  test('a range that cannot be read falls back to the page default', () => {
    for (const query of [
      '',
      'range=2h',
      'range=toString',
      'from=2026-12-06T05:00:00Z&to=2026-12-06T04:00:00Z',
      'from=x&to=y',
    ])
      assert.deepEqual(rangeFromParams(new URLSearchParams(query), '1h'), { preset: '1h' }, query);
    assert.deepEqual(rangeFromParams(new URLSearchParams('from=bad&range=24h'), '1h'), { preset: '24h' });
  });
});
