'use client';

import { type FormEvent, useState } from 'react';
import { WINDOW_MS, type WindowName } from '@/lib/model';
import { type Range, resolveRange } from './range';
import { toLocal } from './useUrlFilter';

export { type Range, resolveRange } from './range';

export function TimeRangePicker({ range, onChange }: { range: Range; onChange: (range: Range) => void }) {
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const current = resolveRange(range);
  function applyCustom(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const from = new Date(String(form.get('from'))).getTime();
    const to = new Date(String(form.get('to'))).getTime();
    if (!(from < to)) return setError('The start must be before the end.');
    setError(null);
    setEditing(false);
    onChange({ preset: 'custom', from, to });
  }
  return (
    <div className="row">
      <fieldset className="range-picker plain">
        <legend className="sr-only">Time range</legend>
        {(Object.keys(WINDOW_MS) as WindowName[]).map((p) => (
          <button key={p} type="button" aria-pressed={range.preset === p} onClick={() => onChange({ preset: p })}>
            {p}
          </button>
        ))}
        <button
          type="button"
          aria-pressed={range.preset === 'custom'}
          aria-expanded={editing}
          onClick={() => setEditing(!editing)}
        >
          Custom
        </button>
      </fieldset>
      {editing && (
        <form className="custom-range" onSubmit={applyCustom} aria-label="Custom time range">
          <label>
            From
            <input type="datetime-local" name="from" defaultValue={toLocal(current.from)} required />
          </label>
          <label>
            To
            <input type="datetime-local" name="to" defaultValue={toLocal(current.to)} required />
          </label>
          <button type="submit">Apply</button>
          {error && (
            <span className="field-error" role="alert">
              {error}
            </span>
          )}
        </form>
      )}
    </div>
  );
}
