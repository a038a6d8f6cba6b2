/**
 * What the call log keeps of an integration's calls, beyond method, path, status and timings:
 * `none` nothing more, `headers` the redacted headers, `redacted` (the default) the redacted bodies too.
 */
export const BODY_CAPTURE_MODES = ['none', 'headers', 'redacted'] as const;
export type BodyCapture = (typeof BODY_CAPTURE_MODES)[number];
