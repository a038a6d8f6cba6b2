/** What a sync reads from one page of an upstream feed, through the JSON paths in its configuration. */
export interface PageItem {
  id: string;
  at: Date | null;
  /** the item as the upstream sent it */
  payload: unknown;
}

export interface Page {
  items: PageItem[];
  /** the checkpoint after this page; null when a cursor feed says there is no further page yet */
  next: string | null;
}

/** A page the sync cannot use: nothing of it is delivered and the checkpoint stays where it was. */
export class MalformedPageError extends Error {}

export interface PageShape {
  mode: string;
  itemsField: string;
  nextField: string;
  idField: string;
  timeField: string | null;
}

/** The value at a dot-separated path ("data.items"), or undefined. */
export function valueAtPath(value: unknown, path: string): unknown {
  let node = value;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** An item time: an ISO string, or epoch seconds / milliseconds; anything else is no time. */
function timeOf(value: unknown): Date | null {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value < 1e11 ? value * 1000 : value);
  if (typeof value !== 'string' || value === '') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * Reads one page. In `since` mode every page must carry the next checkpoint; in `cursor` mode a missing
 * or null cursor means "no further page yet" (the sync asks again from the same cursor next time, and
 * items already delivered are skipped by id).
 */
export function parsePage(body: string, shape: PageShape): Page {
  let page: unknown;
  try {
    page = JSON.parse(body);
  } catch {
    throw new MalformedPageError('the page is not JSON');
  }
  const rawItems = valueAtPath(page, shape.itemsField);
  if (!Array.isArray(rawItems)) throw new MalformedPageError(`the page has no items array at "${shape.itemsField}"`);
  const rawNext = valueAtPath(page, shape.nextField);
  const next = scalar(rawNext) ?? null;
  if (next === null && (shape.mode !== 'cursor' || (rawNext !== undefined && rawNext !== null && rawNext !== '')))
    throw new MalformedPageError(`the page has no next checkpoint at "${shape.nextField}"`);
  const items = rawItems.map((payload, index): PageItem => {
    const id = scalar(valueAtPath(payload, shape.idField));
    if (id === undefined) throw new MalformedPageError(`item ${index} has no id at "${shape.idField}"`);
    return { id, at: shape.timeField ? timeOf(valueAtPath(payload, shape.timeField)) : null, payload };
  });
  return { items, next };
}
