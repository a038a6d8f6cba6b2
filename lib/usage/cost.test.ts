import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PriceVersion, priceMonth, type UsageCount } from './cost';
import { chargebackCsv, chargebackRows, integrationUsage, projectedCounts } from './report';
import { microsOf, priceInputSchema, priceRulesSchema, priceText } from './schema';

const HOUR = 3_600_000;
const MARCH = Date.UTC(2026, 2, 1);
const INTEGRATION = { id: 'int-1', slug: 'payments', name: 'Payments' };

function count(hour: number, attempts: number, extra: Partial<UsageCount> = {}): UsageCount {
  return {
    bucketStart: new Date(MARCH + hour * HOUR),
    integrationId: INTEGRATION.id,
    route: '/v1/charges',
    outcomeClass: 'success',
    caller: 'tok-a',
    attemptKind: 'first',
    environment: 'production',
    attempts,
    ...extra,
  };
}

function version(day: string, rules: Record<string, unknown>, currency = 'USD'): PriceVersion {
  return {
    integrationId: INTEGRATION.id,
    effectiveFrom: new Date(`${day}T00:00:00Z`),
    currency,
    rules: priceRulesSchema.parse(rules),
  };
}

/** A month of constant traffic: `perHour` first attempts every hour of March 2026 up to `hours`. */
function month(perHour: number, hours = 31 * 24, extra: Partial<UsageCount> = {}): UsageCount[] {
  return Array.from({ length: hours }, (_, h) => count(h, perHour, extra));
}

const totalMicros = (rows: UsageCount[], versions: PriceVersion[]) =>
  priceMonth(rows, versions).reduce((n, r) => n + r.costMicros, 0);

describe('prices', () => {
  it('parses decimal prices exactly into micros, and back', () => {
    assert.equal(microsOf('0.0004'), 400);
    assert.equal(microsOf('1.1'), 1_100_000);
    assert.equal(microsOf('0.1234567'), undefined);
    assert.equal(microsOf('-1'), undefined);
    assert.equal(priceText(400), '0.0004');
    assert.equal(priceText(2_000_000), '2');
  });

  it('names the field at fault', () => {
    const bad = priceInputSchema.safeParse({
      effectiveFrom: '2026-02-30',
      currency: 'XYZ',
      rules: { perCall: 'free' },
    });
    assert.equal(bad.success, false);
    const paths = bad.error!.issues.map((i) => i.path.join('.')).sort();
    assert.deepEqual(paths, ['currency', 'effectiveFrom', 'rules.perCall']);
    const tiers = priceRulesSchema.safeParse({
      perCall: '0.01',
      tiers: [
        { fromAttempt: 10, perCall: '1' },
        { fromAttempt: 5, perCall: '1' },
      ],
    });
    assert.deepEqual(
      tiers.error?.issues.map((i) => i.path.join('.')),
      ['tiers.1.fromAttempt'],
    );
  });
});

describe('cost of a month', () => {
  it('prices each day by the version in force, with a mid-month change and a quota: exact to the cent', () => {
    // 100 attempts an hour all March: 74,400. The first 10,000 are included; $0.002 each until the 16th,
    // $0.003 from the 16th (the change does not reach back).
    const rows = month(100);
    const versions = [
      version('2026-01-01', { perCall: '0.002', includedMonthly: 10_000 }),
      version('2026-03-16', { perCall: '0.003', includedMonthly: 10_000 }),
    ];
    const report = integrationUsage(INTEGRATION, rows, versions, new Date(MARCH + 31 * 24 * HOUR - 1));
    // before the 16th: 15 days × 2,400 = 36,000 attempts, 26,000 beyond the quota at 0.2 cents = $52.00;
    // from the 16th: 16 days × 2,400 = 38,400 at 0.3 cents = $115.20.
    assert.equal(report.costMinor, 5200 + 11520);
    assert.equal(report.currency, 'USD');
    assert.deepEqual(report.quota, { included: 10_000, used: 74_400, ratio: 7.44 });
  });

  it('charges tiers beyond the quota, split where a tier begins', () => {
    const versions = [
      version('2026-03-01', {
        perCall: '0.01',
        includedMonthly: 50,
        tiers: [{ fromAttempt: 101, perCall: '0.005' }],
      }),
    ];
    // 250 attempts: 50 free, 100 at 1 cent, 100 at 0.5 cent = $1.50
    assert.equal(totalMicros([count(0, 120), count(1, 130)], versions), 1_500_000);
  });

  it('prices retries as attempts, cache hits as configured, and shows what retries cost', () => {
    const rows = [
      count(0, 900),
      count(0, 100, { attemptKind: 'retry', outcomeClass: 'server_error' }),
      count(0, 300, { outcomeClass: 'cached' }),
      count(0, 50, { outcomeClass: 'short_circuited' }),
    ];
    const free = [version('2026-03-01', { perCall: '0.01' })];
    const report = integrationUsage(INTEGRATION, rows, free, new Date(MARCH + HOUR));
    assert.equal(report.costMinor, 1000); // 1,000 attempts at 1 cent; the cache and the breaker are free
    assert.equal(report.retryCostMinor, 100);
    assert.equal(report.retryShare, 0.1);
    assert.deepEqual(report.saved, {
      cachedCalls: 300,
      cachedMinor: 300,
      shortCircuitedCalls: 50,
      shortCircuitedMinor: 50,
    });

    const priced = [
      version('2026-03-01', {
        perCall: '0.01',
        outcomes: { cached: '0.001', server_error: '0' },
        routes: [{ route: '/v1/other', perCall: '1' }],
      }),
    ];
    // 900 × 1 cent + retries free (server errors are not billed) + 300 hits × 0.1 cent
    assert.equal(integrationUsage(INTEGRATION, rows, priced, new Date(MARCH + HOUR)).costMinor, 900 + 30);
  });

  it('forecasts within 1% of the straight line on constant traffic', () => {
    const versions = [version('2026-03-01', { perCall: '0.0004' })];
    const elapsedHours = 10 * 24 + 7;
    const rows = month(1234, elapsedHours);
    const now = new Date(MARCH + elapsedHours * HOUR);
    const report = integrationUsage(INTEGRATION, rows, versions, now);
    const straightLine = (report.costMinor * (31 * 24)) / elapsedHours;
    assert.ok(
      Math.abs(report.forecastMinor - straightLine) / straightLine < 0.01,
      `${report.forecastMinor} vs ${straightLine}`,
    );
    assert.ok(projectedCounts(rows, now).length > 0);
  });

  it('exports per caller and day, summing to the API’s month total', () => {
    const rows = [...month(10, 48), ...month(5, 48, { caller: 'job' })];
    const versions = [version('2026-03-01', { perCall: '0.02' }, 'EUR')];
    const lines = chargebackRows(INTEGRATION, rows, versions, (c) => (c === 'tok-a' ? 'billing, "main"' : c));
    assert.deepEqual(
      lines.map((l) => [l.day, l.caller, l.attempts, l.costMinor]),
      [
        ['2026-03-01', 'job', 120, 240],
        ['2026-03-01', 'tok-a', 240, 480],
        ['2026-03-02', 'job', 120, 240],
        ['2026-03-02', 'tok-a', 240, 480],
      ],
    );
    const report = integrationUsage(INTEGRATION, rows, versions, new Date(MARCH + 48 * HOUR));
    assert.equal(
      lines.reduce((n, l) => n + l.costMinor, 0),
      report.costMinor,
    );
    const csv = chargebackCsv(lines);
    assert.equal(csv.split('\r\n')[0], 'day,integration,caller,callerName,attempts,billable,costMinor,currency');
    assert.equal(csv.split('\r\n')[2], '2026-03-01,payments,tok-a,"billing, ""main""",240,240,480,EUR');
  });
});
