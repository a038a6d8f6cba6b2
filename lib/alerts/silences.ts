import type { SilenceConfig } from './schema';

const WEEK_MS = 7 * 86_400_000;

export type Silence = Pick<SilenceConfig, 'ruleId' | 'integration' | 'matchers' | 'startsAt' | 'endsAt' | 'recurrence'>;

/** What a silence is matched against: the rule, the integration and the instance's labels. */
export interface SilenceTarget {
  ruleId: string;
  integration: string;
  labels: Record<string, string>;
}

/**
 * Whether the silence covers `now`. A weekly silence repeats [startsAt, endsAt) every seven days of
 * elapsed time from startsAt, so its local hour moves by one across a daylight-saving change.
 */
export function silenceActive(silence: Silence, now: number): boolean {
  const start = silence.startsAt.getTime();
  const end = silence.endsAt.getTime();
  if (now < start) return false;
  if (silence.recurrence === 'none') return now < end;
  return (now - start) % WEEK_MS < end - start;
}

/** Every condition the silence names must hold (an absent one matches anything). */
function silenceMatches(silence: Silence, target: SilenceTarget): boolean {
  if (silence.ruleId && silence.ruleId !== target.ruleId) return false;
  if (silence.integration && silence.integration !== target.integration) return false;
  return silence.matchers.every((m) => target.labels[m.name] === m.value);
}

export function isSilenced(silences: Silence[], target: SilenceTarget, now: number): boolean {
  return silences.some((s) => silenceActive(s, now) && silenceMatches(s, target));
}
