'use client';

import type { ReactNode, SelectHTMLAttributes } from 'react';
import { toLocal } from './useUrlFilter';

type Choice = string | { value: string; label: string };

/** A filter's select whose first choice, "Any", means no filter. Other props go to the <select>. */
export function AnySelect({
  label,
  choices,
  ...select
}: { label: string; choices: readonly Choice[] } & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <label>
      {label}
      <select {...select}>
        <option value="">Any</option>
        {choices.map((choice) =>
          typeof choice === 'string' ? (
            <option key={choice}>{choice}</option>
          ) : (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ),
        )}
      </select>
    </label>
  );
}

/** The integrations (or sources) as choices: the slug is the value, the name is shown. */
export const byName = (items: { slug: string; name: string }[]) =>
  items.map((item) => ({ value: item.slug, label: item.name }));

/** From and To of a URL-filtered form (datetime-local, in local time; the URL holds instants). */
export function TimeRangeInputs({ params }: { params: URLSearchParams }) {
  return (
    <>
      <label>
        From
        <input name="from" type="datetime-local" defaultValue={toLocal(params.get('from'))} />
      </label>
      <label>
        To
        <input name="to" type="datetime-local" defaultValue={toLocal(params.get('to'))} />
      </label>
    </>
  );
}

/** A filter form's Search (submit) and Clear. */
export function FilterActions({ onClear }: { onClear: () => void }) {
  return (
    <div className="actions">
      <button type="submit">Search</button>
      <button type="button" className="secondary" onClick={onClear}>
        Clear
      </button>
    </div>
  );
}

/** How many rows are shown, and a button for the next (older) page while there is one. */
export function LoadOlder({
  shown,
  noun,
  pages,
}: {
  shown: number;
  noun: string;
  pages: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
}) {
  return (
    <div className="row" style={{ marginTop: 12 }}>
      <span className="muted">
        {shown} {noun} shown
      </span>
      {pages.hasNextPage && (
        <button
          type="button"
          className="secondary"
          onClick={() => pages.fetchNextPage()}
          disabled={pages.isFetchingNextPage}
        >
          {pages.isFetchingNextPage ? 'Loading…' : `Load older ${noun}`}
        </button>
      )}
    </div>
  );
}

/**
 * A list's state before its rows: a loading skeleton, the error, or the empty state (`empty`, under "No
 * … matches."). Null once there are rows to show.
 */
export function listState(
  query: { isPending: boolean; isError: boolean; error: Error | null },
  rows: number,
  { noun, height, empty }: { noun: string; height: number; empty: ReactNode },
): ReactNode {
  if (query.isPending)
    return (
      <div className="panel skeleton" style={{ height }} aria-busy="true">
        <span className="sr-only">Loading {noun}s…</span>
      </div>
    );
  if (query.isError)
    return (
      <p className="alert" role="alert">
        Could not load {noun}s: {query.error?.message}
      </p>
    );
  if (rows === 0)
    return (
      <div className="panel empty">
        <p>No {noun} matches.</p>
        <p className="muted">{empty}</p>
      </div>
    );
  return null;
}
