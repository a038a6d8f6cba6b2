import { type CostedCount, minorOf, monthOf, type PriceVersion, priceMonth, type UsageCount, versionAt } from './cost';

const HOUR_MS = 3_600_000;
/** The forecast extrapolates the rate of the last 7 days (or of the month so far, when shorter). */
const FORECAST_WINDOW_MS = 7 * 24 * HOUR_MS;

export interface IntegrationRef {
  id: string;
  slug: string;
  name: string;
}

export interface CostLine {
  key: string;
  label: string;
  attempts: number;
  costMinor: number;
}

export interface IntegrationUsage {
  integrationId: string;
  slug: string;
  name: string;
  /** the currency of the price in force now (null: never priced) */
  currency: string | null;
  attempts: number;
  billable: number;
  costMinor: number;
  /** month-to-date plus the recent rate carried to the month's end, priced (quota and tiers included) */
  forecastMinor: number;
  /** the included monthly quota of the price in force now, and how much of it billable attempts used */
  quota: { included: number; used: number; ratio: number } | null;
  /** what retried and hedged attempts cost, and their share of the cost (0..1) */
  retryCostMinor: number;
  retryShare: number;
  /** calls the cache and the breaker (or bulkhead, or limiter) kept from the upstream, at their price */
  saved: { cachedCalls: number; cachedMinor: number; shortCircuitedCalls: number; shortCircuitedMinor: number };
  byRoute: CostLine[];
  byOutcome: CostLine[];
  byCaller: CostLine[];
}

/** One line of the chargeback export: a caller's use of an integration on one UTC day. */
export interface ChargebackRow {
  day: string;
  integration: string;
  caller: string;
  callerName: string;
  attempts: number;
  billable: number;
  costMinor: number;
  currency: string;
}

const sum = (rows: readonly CostedCount[], pick: (r: CostedCount) => number) => rows.reduce((n, r) => n + pick(r), 0);

function linesBy(
  rows: readonly CostedCount[],
  keyOf: (r: CostedCount) => string,
  labelOf: (key: string) => string,
  currency: string,
): CostLine[] {
  const groups = new Map<string, { attempts: number; micros: number }>();
  for (const r of rows) {
    const g = groups.get(keyOf(r)) ?? { attempts: 0, micros: 0 };
    g.attempts += r.attempts;
    g.micros += r.costMicros;
    groups.set(keyOf(r), g);
  }
  return [...groups]
    .map(([key, g]) => ({ key, label: labelOf(key), attempts: g.attempts, costMinor: minorOf(g.micros, currency) }))
    .sort((a, b) => b.costMinor - a.costMinor || b.attempts - a.attempts || a.key.localeCompare(b.key));
}

/**
 * Counts the recent rate (per key) would add by the month's end, as one row per key at `now`: with
 * constant traffic the forecast is the straight line through the month so far.
 */
export function projectedCounts(rows: readonly UsageCount[], now: Date): UsageCount[] {
  const { start, end } = monthOf(now);
  const window = Math.min(FORECAST_WINDOW_MS, now.getTime() - start.getTime());
  if (window <= 0) return [];
  const since = now.getTime() - window;
  const remaining = end.getTime() - now.getTime();
  const recent = new Map<string, UsageCount>();
  for (const r of rows) {
    if (r.bucketStart.getTime() < since || r.bucketStart.getTime() > now.getTime()) continue;
    const key = [r.integrationId, r.route, r.outcomeClass, r.caller, r.attemptKind, r.environment].join('\u0000');
    const g = recent.get(key) ?? { ...r, bucketStart: now, attempts: 0 };
    g.attempts += r.attempts;
    recent.set(key, g);
  }
  return [...recent.values()]
    .map((r) => ({ ...r, attempts: Math.round((r.attempts * remaining) / window) }))
    .filter((r) => r.attempts > 0);
}

/**
 * One integration's month (`rows` of its month up to `now`): totals, forecast, quota, retries' share, savings
 * and the breakdowns. `now` past the month's end (a month gone) forecasts nothing beyond what was counted.
 */
export function integrationUsage(
  integration: IntegrationRef,
  rows: readonly UsageCount[],
  versions: readonly PriceVersion[],
  now: Date,
  callerLabel: (caller: string) => string = (caller) => caller,
): IntegrationUsage {
  const costed = priceMonth(rows, versions);
  const current = versionAt(versions, now) ?? versions.at(-1);
  const currency = current?.currency ?? null;
  const money = currency ?? 'USD';
  const forecast = priceMonth([...rows, ...projectedCounts(rows, now)], versions);
  const billable = sum(costed, (r) => r.billable);
  const costMicros = sum(costed, (r) => r.costMicros);
  const retryMicros = sum(
    costed.filter((r) => r.attemptKind === 'retry' || r.attemptKind === 'hedge'),
    (r) => r.costMicros,
  );
  const cached = costed.filter((r) => r.outcomeClass === 'cached');
  const shortCircuited = costed.filter((r) => r.outcomeClass === 'short_circuited');
  const included = current?.rules.includedMonthly ?? 0;
  return {
    integrationId: integration.id,
    slug: integration.slug,
    name: integration.name,
    currency,
    attempts: sum(costed, (r) => r.attempts),
    billable,
    costMinor: minorOf(costMicros, money),
    forecastMinor: minorOf(
      sum(forecast, (r) => r.costMicros),
      money,
    ),
    quota: included > 0 ? { included, used: billable, ratio: billable / included } : null,
    retryCostMinor: minorOf(retryMicros, money),
    retryShare: costMicros > 0 ? retryMicros / costMicros : 0,
    saved: {
      cachedCalls: sum(cached, (r) => r.attempts),
      cachedMinor: minorOf(
        sum(cached, (r) => r.savedMicros),
        money,
      ),
      shortCircuitedCalls: sum(shortCircuited, (r) => r.attempts),
      shortCircuitedMinor: minorOf(
        sum(shortCircuited, (r) => r.savedMicros),
        money,
      ),
    },
    byRoute: linesBy(
      costed,
      (r) => r.route,
      (k) => k,
      money,
    ),
    byOutcome: linesBy(
      costed,
      (r) => r.outcomeClass,
      (k) => k,
      money,
    ),
    byCaller: linesBy(costed, (r) => r.caller, callerLabel, money),
  };
}

/** The chargeback lines of one integration's month: per UTC day and caller, each rounded once. */
export function chargebackRows(
  integration: IntegrationRef,
  rows: readonly UsageCount[],
  versions: readonly PriceVersion[],
  callerLabel: (caller: string) => string = (caller) => caller,
): ChargebackRow[] {
  const groups = new Map<string, ChargebackRow & { micros: number }>();
  for (const r of priceMonth(rows, versions)) {
    const day = r.bucketStart.toISOString().slice(0, 10);
    const key = `${day}\u0000${r.caller}`;
    const currency = r.currency ?? versions.at(-1)?.currency ?? 'USD';
    const g = groups.get(key) ?? {
      day,
      integration: integration.slug,
      caller: r.caller,
      callerName: callerLabel(r.caller),
      attempts: 0,
      billable: 0,
      costMinor: 0,
      currency,
      micros: 0,
    };
    g.attempts += r.attempts;
    g.billable += r.billable;
    g.micros += r.costMicros;
    groups.set(key, g);
  }
  return [...groups.values()]
    .map(({ micros, ...row }) => ({ ...row, costMinor: minorOf(micros, row.currency) }))
    .sort((a, b) => a.day.localeCompare(b.day) || a.caller.localeCompare(b.caller));
}

const CSV_COLUMNS: (keyof ChargebackRow)[] = [
  'day',
  'integration',
  'caller',
  'callerName',
  'attempts',
  'billable',
  'costMinor',
  'currency',
];

/** RFC 4180 text; a cell starting with = + - @ is prefixed with ' so a spreadsheet does not run it. */
export function chargebackCsv(rows: readonly ChargebackRow[]): string {
  const cell = (value: string | number) => {
    let text = String(value);
    if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => cell(r[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
