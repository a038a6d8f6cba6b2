/**
 * An integration's targets: `production` always, `sandbox` optionally (its own base URL and credentials).
 * Calls go to the active one, and every call, rollup and metric is labelled with it.
 */
export const ENVIRONMENTS = ['production', 'sandbox'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Which credential served a call: the primary secret, or the secondary after the primary got a 401. */
export const CREDENTIALS = ['primary', 'secondary'] as const;
export type Credential = (typeof CREDENTIALS)[number];
