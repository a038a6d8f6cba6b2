import type { Db } from '@/lib/db';
import { log } from '@/lib/logging';
import { applyPatch, DomainError } from '@/lib/model';
import type { Policy } from '@/lib/resilience';
import { assertSecretRole } from '@/lib/secret-roles';
import { isSecretConfigured } from '@/lib/secrets';
import { type IntegrationConfig, integrationFields, type integrationPatchSchema, integrationSchema } from './schema';

export interface Integration extends Omit<IntegrationConfig, 'policy'> {
  id: string;
  policy: Policy;
  createdAt: Date;
  updatedAt: Date;
}

/** What the API and UI show: the secret's variable name and whether it is set (exposed names only), never its value. */
export interface IntegrationView extends Integration {
  secretConfigured: boolean;
}

type Row = Awaited<ReturnType<Db['integration']['findFirstOrThrow']>>;

/** Another integration has the slug (409). */
export class IntegrationConflictError extends DomainError {
  constructor(message: string) {
    super(message, 409, 'integration_conflict', 'slug');
  }
}

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

function fromRow(row: Row): Integration {
  const { policy, ...rest } = row;
  return {
    ...rest,
    authScheme: rest.authScheme as Integration['authScheme'],
    bodyCapture: rest.bodyCapture as Integration['bodyCapture'],
    policy: storedPolicy(rest.slug, policy),
  };
}

export function toView(integration: Integration, env: NodeJS.ProcessEnv = process.env): IntegrationView {
  return { ...integration, secretConfigured: isSecretConfigured(integration.secretEnv, env) };
}

export async function listIntegrations(db: Db): Promise<Integration[]> {
  return (await db.integration.findMany({ orderBy: { name: 'asc' } })).map(fromRow);
}

export async function findIntegration(db: Db, slug: string): Promise<Integration | null> {
  const row = await db.integration.findUnique({ where: { slug } });
  return row ? fromRow(row) : null;
}

function toData(config: IntegrationConfig) {
  return {
    ...config,
    authHeader: config.authHeader ?? null,
    secretEnv: config.secretEnv ?? null,
    policy: JSON.stringify(config.policy),
  };
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';
}

/** `config` must already be validated with integrationSchema. */
export async function createIntegration(db: Db, config: IntegrationConfig): Promise<Integration> {
  await assertSecretRole(db, 'outbound', [{ field: 'secretEnv', name: config.secretEnv }]);
  try {
    return fromRow(await db.integration.create({ data: toData(config) }));
  } catch (error) {
    if (isUniqueViolation(error))
      throw new IntegrationConflictError(`an integration with slug "${config.slug}" already exists`);
    throw error;
  }
}

/** Applies a validated patch; the merged integration is validated as a whole. Returns null when absent. */
/**
 * The rows under which alert notifications, sync sink deliveries and job completion webhooks are
 * recorded (`breakwater.<kind>`; a user's slug cannot contain a dot): Breakwater owns them, so they are
 * shown like any integration but never edited or deleted through the API.
 */
export class ManagedIntegrationError extends DomainError {
  constructor(slug: string) {
    super(`integration "${slug}" records Breakwater's own deliveries and cannot be changed`, 409, 'managed', 'slug');
  }
}

function refuseManaged(slug: string): void {
  if (slug.startsWith('breakwater.')) throw new ManagedIntegrationError(slug);
}

export async function updateIntegration(
  db: Db,
  slug: string,
  patch: ReturnType<typeof integrationPatchSchema.parse>,
): Promise<
  | { ok: true; integration: Integration }
  | { ok: false; error: ReturnType<typeof integrationSchema.safeParse>['error'] }
  | null
> {
  const current = await findIntegration(db, slug);
  if (!current) return null;
  refuseManaged(current.slug);
  const merged = integrationSchema.safeParse(applyPatch(integrationFields, current, patch));
  if (!merged.success) return { ok: false, error: merged.error };
  // Re-checked only when the name changes, so a policy edit (the breaker's dry-run) never fails on it.
  if (merged.data.secretEnv !== current.secretEnv)
    await assertSecretRole(db, 'outbound', [{ field: 'secretEnv', name: merged.data.secretEnv }]);
  try {
    const row = await db.integration.update({ where: { id: current.id }, data: toData(merged.data) });
    return { ok: true, integration: fromRow(row) };
  } catch (error) {
    if (isUniqueViolation(error))
      throw new IntegrationConflictError(`an integration with slug "${merged.data.slug}" already exists`);
    throw error;
  }
}

export async function deleteIntegration(db: Db, slug: string): Promise<boolean> {
  refuseManaged(slug);
  const { count } = await db.integration.deleteMany({ where: { slug } });
  return count > 0;
}
