export function formatMs(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function formatPercent(ratio: number | null): string {
  if (ratio === null) return '–';
  return `${(ratio * 100).toFixed(ratio > 0 && ratio < 0.01 ? 2 : 1)}%`;
}

export function formatRate(perSec: number): string {
  if (perSec === 0) return '0/s';
  if (perSec < 1) return `${(perSec * 60).toFixed(1)}/min`;
  return `${perSec.toFixed(perSec < 10 ? 1 : 0)}/s`;
}

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/** Exact below 10 000 (tests and users compare it with other counts), compact above. */
export function formatCount(n: number): string {
  return n < 10_000 ? String(n) : compact.format(n);
}

const zoneName = new Intl.DateTimeFormat('en-GB', { timeZoneName: 'short' });

/** The viewer's time zone as people write it ("UTC", "CET", "GMT-5") at that instant (summer time moves it). */
export function timeZoneOf(at: Date): string {
  return zoneName.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? '';
}

/**
 * The dashboard's one timestamp format: 24-hour local time with its zone, and the ISO date in front when
 * asked ("2026-12-06 05:12:03 UTC"), so a screenshot or a pasted line says which instant it was.
 */
export function formatTime(at: string | number | Date, withDate = false): string {
  const date = new Date(at);
  const time = `${date.toLocaleTimeString('en-GB', { hour12: false })} ${timeZoneOf(date)}`;
  return withDate ? `${date.toLocaleDateString('en-CA')} ${time}` : time;
}

/** A calendar day in the same style ("2026-12-06"), for dates without a time (a quota's reset, a join). */
export function formatDay(at: string | number | Date): string {
  return new Date(at).toLocaleDateString('en-CA');
}

/** A tick label for a chart spanning `spanMs`: seconds when zoomed below a few minutes, times within a day, dates beyond. */
export function tickFormatter(spanMs: number): (at: number) => string {
  return (at) => {
    const date = new Date(at);
    if (spanMs > 2 * 86_400_000) return date.toLocaleDateString('en-CA', { month: '2-digit', day: '2-digit' });
    if (spanMs <= 5 * 60_000) return date.toLocaleTimeString('en-GB', { hour12: false });
    return date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false });
  };
}

/** An amount in integer minor units (cents) of an ISO 4217 currency, e.g. 12345 USD → "$123.45". */
export function formatMoney(minor: number, currency: string): string {
  const format = new Intl.NumberFormat('en', { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}
