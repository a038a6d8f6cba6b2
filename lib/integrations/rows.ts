import type { Db } from '@/lib/db';
import { log } from '@/lib/logging';
import type { Environment } from '@/lib/model';
import type { Policy } from '@/lib/resilience';
import {
  type IntegrationConfig,
  type IntegrationTarget,
  integrationSchema,
  type OAuth2Config,
  oauth2Schema,
  targetSchema,
} from './schema';

/**
 * An integration as stored: baseUrl and the credential fields are its production target, `sandbox` the
 * other one. Calls go to `activeTarget(integration)`.
 */
export interface Integration extends Omit<IntegrationConfig, 'policy' | 'sandbox'> {
  id: string;
  workspaceId: string;
  sandbox: IntegrationTarget | null;
  activeEnvironment: Environment;
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

function storedTarget(slug: string, json: string | null): IntegrationTarget | null {
  if (json === null) return null;
  const parsed = targetSchema.safeParse(JSON.parse(json));
  if (parsed.success) return parsed.data;
  log.warn({ integration: slug }, 'stored sandbox target no longer validates: ignored');
  return null;
}

/** OAuth2 settings as stored; settings that no longer validate are dropped, logged (calls then fail clearly). */
function storedOAuth2(slug: string, json: string | null): OAuth2Config | null {
  if (json === null) return null;
  const parsed = oauth2Schema.safeParse(JSON.parse(json));
  if (parsed.success) return parsed.data;
  log.warn({ integration: slug }, 'stored OAuth2 settings out of bounds: calls fail until they are saved again');
  return null;
}

export function fromRow(row: IntegrationRow): Integration {
  const { policy, sandbox, oauth2, ...rest } = row;
  const target = storedTarget(rest.slug, sandbox);
  return {
    ...rest,
    authScheme: rest.authScheme as Integration['authScheme'],
    bodyCapture: rest.bodyCapture as Integration['bodyCapture'],
    sandbox: target,
    activeEnvironment: rest.activeEnvironment === 'sandbox' && target ? 'sandbox' : 'production',
    oauth2: storedOAuth2(rest.slug, oauth2),
    policy: storedPolicy(rest.slug, policy),
  };
}

// One resolved copy per parsed integration: the snapshot's objects live until the next reload.
const resolved = new WeakMap<Integration, Integration>();

/**
 * The integration as calls see it: baseUrl and credentials of its active environment. Production is the
 * integration itself; the sandbox copy is made once per parsed integration (the snapshot holds them).
 */
export function activeTarget(integration: Integration): Integration {
  if (integration.activeEnvironment === 'production' || !integration.sandbox) return integration;
  let target = resolved.get(integration);
  if (!target) {
    const sandbox = integration.sandbox;
    target = {
      ...integration,
      baseUrl: sandbox.baseUrl,
      authScheme: sandbox.authScheme,
      authHeader: sandbox.authHeader ?? null,
      secretEnv: sandbox.secretEnv ?? null,
      secondarySecretEnv: sandbox.secondarySecretEnv ?? null,
      oauth2: sandbox.oauth2 ?? null,
    };
    resolved.set(integration, target);
    resolved.set(target, target);
  }
  return target;
}
