import { WINDOW_MS, type WindowName } from '@/lib/model';

/** A preset follows "now" (live); a custom range (typed, or dragged on a chart) is fixed. */
export type Range = { preset: WindowName } | { preset: 'custom'; from: number; to: number };

export function resolveRange(range: Range, now = Date.now()): { from: number; to: number } {
  return range.preset === 'custom'
    ? { from: range.from, to: range.to }
    : { from: now - WINDOW_MS[range.preset], to: now };
}

const isPreset = (name: string | null): name is WindowName => name !== null && Object.hasOwn(WINDOW_MS, name);

/**
 * The range a page's URL names: `?range=6h` for a live preset, `?from=…&to=…` (ISO instants) for a fixed
 * one, such as a zoom. Anything unreadable (a start after its end, a misspelt preset) falls back to the
 * page's default rather than failing, since a shared link may have been cut short.
 */
export function rangeFromParams(params: URLSearchParams, fallback: WindowName): Range {
  const from = Date.parse(params.get('from') ?? '');
  const to = Date.parse(params.get('to') ?? '');
  if (Number.isFinite(from) && Number.isFinite(to) && from < to) return { preset: 'custom', from, to };
  const preset = params.get('range');
  return { preset: isPreset(preset) ? preset : fallback };
}

/** The page's query with `range` written in: other parameters (the workspace, filters) stay as they are. */
export function rangeToParams(range: Range, params: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams(params);
  next.delete('range');
  next.delete('from');
  next.delete('to');
  if (range.preset === 'custom') {
    next.set('from', new Date(range.from).toISOString());
    next.set('to', new Date(range.to).toISOString());
  } else next.set('range', range.preset);
  return next;
}
