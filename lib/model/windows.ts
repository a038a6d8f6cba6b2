/** Named look-back windows, "last 15 minutes" to "last 30 days", in milliseconds. */
export const WINDOW_MS = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 24 * 3_600_000,
  '7d': 7 * 24 * 3_600_000,
  '30d': 30 * 24 * 3_600_000,
} as const;
export type WindowName = keyof typeof WINDOW_MS;

/** The windows the overview offers (its API accepts exactly these); 30 days of tiles would read too much. */
export const OVERVIEW_WINDOWS = ['15m', '1h', '6h', '24h', '7d'] as const satisfies readonly WindowName[];
export type OverviewWindow = (typeof OVERVIEW_WINDOWS)[number];
/** The overview's first window, rendered with the page. */
export const DEFAULT_OVERVIEW_WINDOW: OverviewWindow = '1h';
