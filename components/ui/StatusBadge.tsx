import type { ReactNode } from 'react';

/**
 * The one badge for a state (breaker, job, sync, alert instance, webhook event). The caller picks the tone,
 * a CSS class from its own vocabulary; `data-state` keeps the raw state for tests and styles.
 */
export function StatusBadge({
  state,
  tone,
  label,
  title,
  testId,
}: {
  state: string;
  tone: string;
  label?: ReactNode;
  title?: string;
  testId?: string;
}) {
  return (
    <span className={tone ? `badge ${tone}` : 'badge'} data-state={state} data-testid={testId} title={title}>
      {label ?? state}
    </span>
  );
}
