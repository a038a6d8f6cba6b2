/** Tick spacings a time axis may use: round numbers of seconds, minutes, hours and days. */
const TIME_STEPS_MS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800,
].map((s) => s * 1000);

/**
 * Ticks for a time axis over [from, to]: the smallest round spacing that gives at most `maxTicks`, placed on
 * round local times (10:15, 10:30; midnight for days) rather than wherever the range happens to start.
 * `offsetMinutes` is the zone's offset east of UTC (a browser's is `-getTimezoneOffset()`).
 */
export function timeTicks(from: number, to: number, maxTicks = 6, offsetMinutes = 0): number[] {
  if (!(to > from)) return [];
  const span = to - from;
  const step = TIME_STEPS_MS.find((s) => span / s <= maxTicks) ?? TIME_STEPS_MS[TIME_STEPS_MS.length - 1];
  const offset = offsetMinutes * 60_000;
  const ticks: number[] = [];
  for (let t = Math.ceil((from + offset) / step) * step - offset; t <= to; t += step) ticks.push(t);
  return ticks;
}

/**
 * Ticks from 0 to at least `max` at a round spacing (1, 2, 2.5 or 5 times a power of ten), at most
 * `maxTicks` intervals; the last tick is the axis's top, so the grid ends on a labelled line.
 */
export function niceTicks(max: number, maxTicks = 4, wholeNumbers = false): number[] {
  const top = Number.isFinite(max) && max > 0 ? max : 1;
  const raw = top / maxTicks;
  const power = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  if (wholeNumbers) step = Math.max(1, Math.ceil(step));
  const count = Math.ceil(top / step - 1e-9);
  // Multiplying rather than adding keeps 0.1 + 0.2 style drift out of the labels.
  return Array.from({ length: count + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}
