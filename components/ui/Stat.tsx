/** One figure with its label, in a `<dl>` of stats (overview tiles, queue stats). */
export function Stat({ label, value, testId, tone }: { label: string; value: string; testId?: string; tone?: string }) {
  return (
    <div className="stat">
      <dt title={label}>{label}</dt>
      <dd data-testid={testId} className={tone ? `status-${tone}` : undefined}>
        {value}
      </dd>
    </div>
  );
}
