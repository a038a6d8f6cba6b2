/** The colour of an event's state; a plain module, so server pages and client components share it. */
export function eventStateClass(state: string): string {
  if (state === 'forwarded') return 'status-ok';
  if (state === 'failed') return 'status-bad';
  return 'status-warn';
}
