import type { Db } from '@/lib/db';
import { log } from '@/lib/logging';
import type { Policy } from '@/lib/resilience';
import { type IntegrationConfig, integrationSchema } from './schema';

export interface Integration extends Omit<IntegrationConfig, 'policy'> {
  id: string;
  workspaceId: string;
  policy: Policy;
  createdAt: Date;
  updatedAt: Date;
}

export type IntegrationRow = Awaited<ReturnType<Db['integration']['findFirstOrThrow']>>;

/**
 * A policy as stored. One saved before today's bounds (say a timeout.overallMs below attemptMs) would
 * fail every call to its integration; instead each section that no longer validates falls back to its
 * defaults, logged by name, and the next save must pass the bounds.
 */
function storedPolicy(slug: string, json: string): Policy {
  const schema = integrationSchema.shape.policy;
  const stored = JSON.parse(json) as Record<string, unknown>;
  const parsed = schema.safeParse(stored);
  if (parsed.success) return parsed.data;
  const invalid = new Set(parsed.error.issues.map((issue) => String(issue.path[0])));
  log.warn({ integration: slug, sections: [...invalid] }, 'stored policy sections out of bounds: using their defaults');
  return schema.parse(Object.fromEntries(Object.entries(stored).filter(([section]) => !invalid.has(section))));
}

export function fromRow(row: IntegrationRow): Integration {
  const { policy, ...rest } = row;
  return {
    ...rest,
    authScheme: rest.authScheme as Integration['authScheme'],
    bodyCapture: rest.bodyCapture as Integration['bodyCapture'],
    policy: storedPolicy(rest.slug, policy),
  };
}
