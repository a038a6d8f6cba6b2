'use client';

import type { ReactNode } from 'react';

/** One choice among a few, as a row of radio buttons under a legend (replay mode, idempotency key). */
export function RadioGroup<T extends string>({
  legend,
  name,
  value,
  options,
  onChange,
  children,
}: {
  legend: string;
  name: string;
  value: T;
  options: { value: T; label: string }[];
  onChange: (value: T) => void;
  children?: ReactNode;
}) {
  return (
    <fieldset className="plain">
      <legend className="muted replay-legend">{legend}</legend>
      <div className="row">
        {options.map((option) => (
          <label className="check" key={option.value}>
            <input type="radio" name={name} checked={value === option.value} onChange={() => onChange(option.value)} />
            {option.label}
          </label>
        ))}
      </div>
      {children}
    </fieldset>
  );
}
