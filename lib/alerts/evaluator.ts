import type { COMPARATORS, NO_DATA } from './schema';

// The alert state machine, pure: no clock, no database. The runner feeds it one value per evaluation;
// tests feed it a fake clock and made-up values.

export const ALERT_STATES = ['inactive', 'pending', 'firing', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export interface InstanceState {
  state: AlertState;
  /** when the current state was entered (ms) */
  since: number;
  /** when the condition last held, for keep-firing-for */
  lastBreachAt: number | null;
  value: number | null;
  /** last firing notification of the current episode, null until one is sent */
  notifiedAt: number | null;
}

export interface Condition {
  comparator: (typeof COMPARATORS)[number];
  threshold: number;
  forMs: number;
  keepFiringForMs: number;
  noData: (typeof NO_DATA)[number];
}

export interface Transition {
  from: AlertState;
  to: AlertState;
  at: number;
  value: number | null;
}

export function initialState(now: number): InstanceState {
  return { state: 'inactive', since: now, lastBreachAt: null, value: null, notifiedAt: null };
}

export function breaches(value: number, comparator: Condition['comparator'], threshold: number): boolean {
  switch (comparator) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    default:
      return value <= threshold;
  }
}

/**
 * One evaluation: inactive/resolved → pending when the condition holds, pending → firing once it has held
 * for `forMs` (straight to firing when that is 0), pending → inactive as soon as it stops holding (so a
 * value hovering at the threshold never fires), firing → resolved once it has not held for
 * `keepFiringForMs`. No data counts as not breaching (`ok`), breaching (`alerting`), or changes nothing
 * (`keep_last`).
 */
export function evaluate(
  prev: InstanceState,
  value: number | null,
  condition: Condition,
  now: number,
): { next: InstanceState; transition?: Transition } {
  if (value === null && condition.noData === 'keep_last') return { next: { ...prev, value } };
  const breaching =
    value === null ? condition.noData === 'alerting' : breaches(value, condition.comparator, condition.threshold);
  const lastBreachAt = breaching ? now : prev.lastBreachAt;
  let to: AlertState = prev.state;
  switch (prev.state) {
    case 'inactive':
    case 'resolved':
      if (breaching) to = condition.forMs === 0 ? 'firing' : 'pending';
      break;
    case 'pending':
      if (!breaching) to = 'inactive';
      else if (now - prev.since >= condition.forMs) to = 'firing';
      break;
    case 'firing':
      if (!breaching && (lastBreachAt === null || now - lastBreachAt >= condition.keepFiringForMs)) to = 'resolved';
      break;
  }
  if (to === prev.state) return { next: { ...prev, value, lastBreachAt } };
  return {
    next: { state: to, since: now, lastBreachAt, value, notifiedAt: to === 'firing' ? null : prev.notifiedAt },
    transition: { from: prev.state, to, at: now, value },
  };
}

/**
 * Which message an evaluation owes: `firing` when an instance fires and its episode was not announced yet
 * or the repeat interval has passed; `resolved` when an announced episode ends. Silenced instances owe
 * nothing; an episode that was never announced ends silently, as in Alertmanager.
 */
export function notificationDue(
  prev: InstanceState,
  next: InstanceState,
  silenced: boolean,
  repeatMs: number,
  now: number,
): 'firing' | 'resolved' | null {
  if (silenced) return null;
  if (next.state === 'firing' && (next.notifiedAt === null || now - next.notifiedAt >= repeatMs)) return 'firing';
  if (prev.state === 'firing' && next.state === 'resolved' && next.notifiedAt !== null) return 'resolved';
  return null;
}
