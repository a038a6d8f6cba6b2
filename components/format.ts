export function formatMs(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function formatPercent(ratio: number | null): string {
  if (ratio === null) return '–';
  return `${(ratio * 100).toFixed(ratio > 0 && ratio < 0.01 ? 2 : 1)}%`;
}

export function health(errorRate: number | null): 'ok' | 'warn' | 'bad' | 'idle' {
  if (errorRate === null) return 'idle';
  if (errorRate >= 0.05) return 'bad';
  if (errorRate >= 0.01) return 'warn';
  return 'ok';
}
