import type { Policy } from '@/lib/resilience';
import { routeTemplate } from './paths';

/** What telemetry calls the routes past an integration's cap. */
export const OTHER_ROUTE = 'other';

type RoutesPolicy = Policy['routes'];

function matches(template: string, segments: readonly string[]): boolean {
  const parts = template.split('/').slice(1);
  const rest = parts[parts.length - 1] === '*';
  const fixed = rest ? parts.slice(0, -1) : parts;
  if (rest ? segments.length <= fixed.length : segments.length !== fixed.length) return false;
  return fixed.every((part, i) => part.startsWith(':') || part === segments[i]);
}

/** The first of the integration's templates that matches the segments, else the default templater's route. */
export function templateRoute(segments: readonly string[], templates: readonly string[]): string {
  return templates.find((template) => matches(template, segments)) ?? routeTemplate(segments);
}

/**
 * The cardinality cap: the first `max` distinct routes keep their names, later new ones count as `other`.
 * Each process keeps its own set (from its start), so several instances may together report a little more.
 */
export class RouteCap {
  private readonly seen = new Set<string>();
  constructor(readonly max: number) {}

  label(route: string): string {
    if (this.seen.has(route)) return route;
    if (this.seen.size >= this.max) return OTHER_ROUTE;
    this.seen.add(route);
    return route;
  }
}

const caps = new Map<string, RouteCap>();

/**
 * How a call to these segments is named: `route` for cache rules (the template), `label` for telemetry
 * (the template, or `other` past the integration's cap).
 */
export function routeOf(
  integrationId: string,
  policy: RoutesPolicy,
  segments: readonly string[],
): { route: string; label: string } {
  const route = templateRoute(segments, policy.templates);
  let cap = caps.get(integrationId);
  // A changed cap starts a new set: the routes already seen stay in telemetry's history under their names.
  if (cap?.max !== policy.maxRoutes) {
    cap = new RouteCap(policy.maxRoutes);
    caps.set(integrationId, cap);
  }
  return { route, label: cap.label(route) };
}
