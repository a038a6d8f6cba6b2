import { FREE_USAGE_OUTCOMES, type UsageOutcome } from '@/lib/model';
import type { PriceRules } from './schema';

// Cost as pure functions over stored counts: the same rows and prices give the same figures in the API, the
// pages, the CSV, the alert metrics and the tests. Amounts are integer micros (millionths of the major unit)
// until a total is shown, then rounded once to the currency's minor unit.

/** A UsageRollup row as the cost functions read it (instances already summed or not: both add up). */
export interface UsageCount {
  bucketStart: Date;
  integrationId: string;
  route: string;
  outcomeClass: string;
  caller: string;
  attemptKind: string;
  environment: string;
  attempts: number;
}

/** One price version of one integration. */
export interface PriceVersion {
  integrationId: string;
  /** a UTC midnight: the version prices buckets from then until the next version */
  effectiveFrom: Date;
  currency: string;
  rules: PriceRules;
}

export interface CostedCount extends UsageCount {
  /** what the attempts cost after the included quota and tiers */
  costMicros: number;
  /** for cached and short-circuited calls: what they would have cost had they reached the upstream */
  savedMicros: number;
  /** billable attempts (a non-zero price before the quota) */
  billable: number;
  /** null when no price was in force */
  currency: string | null;
}

/** The first day of the UTC month of `at`, and of the next one. */
export function monthOf(at: Date): { start: Date; end: Date } {
  const start = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const end = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
  return { start, end };
}

/** The version in force at `at`: the latest whose day has begun (versions sorted by effectiveFrom). */
export function versionAt(versions: readonly PriceVersion[], at: Date): PriceVersion | undefined {
  let found: PriceVersion | undefined;
  for (const v of versions) if (v.effectiveFrom.getTime() <= at.getTime()) found = v;
  return found;
}

/** The list price of one attempt: an outcome's price, else free for cached/short-circuited, else the route's. */
function fixedPrice(rules: PriceRules, route: string, outcome: string): number | undefined {
  const byOutcome = rules.outcomes[outcome as UsageOutcome];
  if (byOutcome !== undefined) return byOutcome;
  if (FREE_USAGE_OUTCOMES.includes(outcome as UsageOutcome)) return 0;
  return rules.routes.find((r) => r.route === route)?.perCall;
}

/** The perCall or tier price at the nth (1-based) billable attempt beyond the quota. */
function tierPrice(rules: PriceRules, position: number): number {
  let price = rules.perCall;
  for (const tier of rules.tiers) if (position >= tier.fromAttempt) price = tier.perCall;
  return price;
}

/** `count` attempts at tier prices, starting at `position` beyond the quota: split where a tier begins. */
function tieredCost(rules: PriceRules, position: number, count: number): number {
  let cost = 0;
  let at = position;
  let left = count;
  while (left > 0) {
    const next = rules.tiers.find((t) => t.fromAttempt > at)?.fromAttempt;
    const run = next === undefined ? left : Math.min(left, next - at);
    cost += run * tierPrice(rules, at);
    at += run;
    left -= run;
  }
  return cost;
}

const ORDER: (keyof UsageCount)[] = ['route', 'outcomeClass', 'caller', 'attemptKind', 'environment'];

/** Rows in time order, then by key: the included quota is used up in this order (deterministic). */
function chronological(rows: readonly UsageCount[]): UsageCount[] {
  return [...rows].sort((a, b) => {
    const t = a.bucketStart.getTime() - b.bucketStart.getTime();
    if (t !== 0) return t;
    for (const key of ORDER) {
      const c = String(a[key]).localeCompare(String(b[key]));
      if (c !== 0) return c;
    }
    return 0;
  });
}

/**
 * Prices one integration's counts of one calendar month with its versions: each bucket by the version in
 * force at its start (a price applies from its day, never backwards). Billable attempts use up the version's
 * included quota first, in time order; beyond it an attempt pays its route or outcome price, or perCall and
 * its tiers by how far beyond the quota it is.
 */
export function priceMonth(rows: readonly UsageCount[], versions: readonly PriceVersion[]): CostedCount[] {
  let used = 0;
  return chronological(rows).map((row) => {
    const version = versionAt(versions, row.bucketStart);
    if (!version) return { ...row, costMicros: 0, savedMicros: 0, billable: 0, currency: null };
    const { rules } = version;
    const fixed = fixedPrice(rules, row.route, row.outcomeClass);
    const saved = FREE_USAGE_OUTCOMES.includes(row.outcomeClass as UsageOutcome)
      ? row.attempts * (rules.routes.find((r) => r.route === row.route)?.perCall ?? rules.perCall)
      : 0;
    const billable = fixed === 0 ? 0 : row.attempts;
    const free = Math.min(billable, Math.max(0, rules.includedMonthly - used));
    const charged = billable - free;
    const beyondQuota = Math.max(0, used + free - rules.includedMonthly) + 1;
    used += billable;
    const costMicros = fixed === undefined ? tieredCost(rules, beyondQuota, charged) : charged * fixed;
    return { ...row, costMicros, savedMicros: saved, billable, currency: version.currency };
  });
}

/** Digits of the currency's minor unit: 2 for USD and EUR, 0 for JPY. */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Micros to integer minor units (cents), rounded half up: done once, on a total. */
export function minorOf(micros: number, currency: string): number {
  const per = 10 ** (6 - minorDigits(currency));
  return Math.floor((micros + per / 2) / per);
}
