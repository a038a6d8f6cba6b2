import type { ReactNode } from 'react';

/** One figure with its label, in a `<dl>` of stats (overview tiles, queue stats, the integration's KPI strip). */
export function Stat({
  label,
  value,
  testId,
  tone,
}: {
  label: string;
  value: ReactNode;
  testId?: string;
  tone?: string;
}) {
  return (
    <div className="stat">
      <dt title={label}>{label}</dt>
      <dd data-testid={testId} className={tone ? `status-${tone}` : undefined}>
        {value}
      </dd>
    </div>
  );
}
