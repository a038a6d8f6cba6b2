'use client';

import { type ReactNode, useId } from 'react';

/** The explorer's filter as a bulk action takes it: the named filters that are set (never the page's cursor). */
export function pickFilter(params: Iterable<[string, string]>, names: readonly string[]): Record<string, string> {
  const filter: Record<string, string> = {};
  for (const [name, value] of params) if (value && names.includes(name)) filter[name] = value;
  return filter;
}

/**
 * A bulk action over an explorer's matches: a button that opens it, then a panel with its title and Close
 * (the call and webhook event explorers' "Replay matching …").
 */
export function BulkPanel({
  title,
  open,
  onOpen,
  onClose,
  children,
}: {
  title: string;
  open: boolean;
  onOpen: () => void;
  onClose: () => void;
  children: ReactNode;
}) {
  const headingId = useId();
  if (!open)
    return (
      <div className="row" style={{ marginBottom: 12 }}>
        <button type="button" className="secondary" onClick={onOpen}>
          {title}
        </button>
      </div>
    );
  return (
    <section className="panel bulk-replay" aria-labelledby={headingId}>
      <div className="row">
        <h2 id={headingId} style={{ margin: 0 }}>
          {title}
        </h2>
        <button type="button" className="secondary" style={{ marginLeft: 'auto' }} onClick={onClose}>
          Close
        </button>
      </div>
      {children}
    </section>
  );
}
