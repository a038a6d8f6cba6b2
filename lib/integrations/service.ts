import type { Db } from '@/lib/db';
import { applyPatch, DomainError } from '@/lib/model';
import { assertSecretRole } from '@/lib/secret-roles';
import { isSecretConfigured } from '@/lib/secrets';
import { fromRow, type Integration } from './rows';
import {
  type IntegrationConfig,
  type IntegrationTarget,
  integrationFields,
  type integrationPatchSchema,
  integrationSchema,
} from './schema';
import { publishIntegrationChange } from './snapshot';

/** What the API and UI show: the secret's variable name and whether it is set (exposed names only), never its value. */
export interface IntegrationView extends Integration {
  secretConfigured: boolean;
  /** whether the rotation's secondary variable is set (false without one) */
  secondarySecretConfigured: boolean;
}

/** Another integration has the slug (409). */
export class IntegrationConflictError extends DomainError {
  constructor(message: string) {
    super(message, 409, 'integration_conflict', 'slug');
  }
}

export function toView(integration: Integration, env: NodeJS.ProcessEnv = process.env): IntegrationView {
  return {
    ...integration,
    secretConfigured: isSecretConfigured(integration.secretEnv, env),
    secondarySecretConfigured: isSecretConfigured(integration.secondarySecretEnv, env),
  };
}

/** The integrations of one workspace, by name. */
export async function listIntegrations(db: Db, workspaceId: string): Promise<Integration[]> {
  return (await db.integration.findMany({ where: { workspaceId }, orderBy: { name: 'asc' } })).map(fromRow);
}

/** The integration `slug` of one workspace; null for one of another workspace (a 404, as for none). */
export async function findIntegration(db: Db, workspaceId: string, slug: string): Promise<Integration | null> {
  const row = await db.integration.findUnique({ where: { workspaceId_slug: { workspaceId, slug } } });
  return row ? fromRow(row) : null;
}

/** A target keeps its OAuth2 settings only while "oauth2" is its scheme: a stale token endpoint is never called. */
function withoutStaleOAuth2(target: IntegrationTarget): IntegrationTarget {
  return target.authScheme === 'oauth2' ? target : { ...target, oauth2: null };
}

function toData(config: IntegrationConfig) {
  return {
    ...config,
    authHeader: config.authHeader ?? null,
    secretEnv: config.secretEnv ?? null,
    secondarySecretEnv: config.secondarySecretEnv ?? null,
    sandbox: config.sandbox ? JSON.stringify(withoutStaleOAuth2(config.sandbox)) : null,
    // kept only while it is the scheme in use: a stale token endpoint is never called
    oauth2: config.authScheme === 'oauth2' && config.oauth2 ? JSON.stringify(config.oauth2) : null,
    policy: JSON.stringify(config.policy),
  };
}

/** Every secret a configuration sends or signs with (both targets), by the field that names it. */
function outboundSecrets(config: Pick<IntegrationConfig, 'secretEnv' | 'secondarySecretEnv' | 'oauth2' | 'sandbox'>) {
  return [
    { field: 'secretEnv', name: config.secretEnv },
    { field: 'secondarySecretEnv', name: config.secondarySecretEnv },
    { field: 'oauth2.clientSecretEnv', name: config.oauth2?.clientSecretEnv },
    { field: 'oauth2.privateKeyEnv', name: config.oauth2?.privateKeyEnv },
    { field: 'sandbox.secretEnv', name: config.sandbox?.secretEnv },
    { field: 'sandbox.secondarySecretEnv', name: config.sandbox?.secondarySecretEnv },
    { field: 'sandbox.oauth2.clientSecretEnv', name: config.sandbox?.oauth2?.clientSecretEnv },
    { field: 'sandbox.oauth2.privateKeyEnv', name: config.sandbox?.oauth2?.privateKeyEnv },
  ];
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';
}

/** `config` must already be validated with integrationSchema. */
export async function createIntegration(db: Db, workspaceId: string, config: IntegrationConfig): Promise<Integration> {
  await assertSecretRole(db, 'outbound', outboundSecrets(config), workspaceId);
  try {
    const integration = fromRow(await db.integration.create({ data: { ...toData(config), workspaceId } }));
    await publishIntegrationChange(db);
    return integration;
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

export function refuseManaged(slug: string): void {
  if (slug.startsWith('breakwater.')) throw new ManagedIntegrationError(slug);
}

export async function updateIntegration(
  db: Db,
  workspaceId: string,
  slug: string,
  patch: ReturnType<typeof integrationPatchSchema.parse>,
): Promise<
  | { ok: true; integration: Integration }
  | { ok: false; error: ReturnType<typeof integrationSchema.safeParse>['error'] }
  | null
> {
  const current = await findIntegration(db, workspaceId, slug);
  if (!current) return null;
  refuseManaged(current.slug);
  const merged = integrationSchema.safeParse(applyPatch(integrationFields, current, patch));
  if (!merged.success) return { ok: false, error: merged.error };
  // Re-checked only when the name changes, so a policy edit (the breaker's dry-run) never fails on it.
  if (current.activeEnvironment === 'sandbox' && !merged.data.sandbox)
    throw new DomainError('is active: switch to production before removing it', 400, 'invalid', 'sandbox');
  const secrets = outboundSecrets(merged.data);
  const before = outboundSecrets(current);
  if (secrets.some((secret, i) => secret.name !== before[i]?.name))
    await assertSecretRole(db, 'outbound', secrets, workspaceId);
  try {
    const row = await db.integration.update({ where: { id: current.id }, data: toData(merged.data) });
    await publishIntegrationChange(db);
    return { ok: true, integration: fromRow(row) };
  } catch (error) {
    if (isUniqueViolation(error))
      throw new IntegrationConflictError(`an integration with slug "${merged.data.slug}" already exists`);
    throw error;
  }
}

export async function deleteIntegration(db: Db, workspaceId: string, slug: string): Promise<boolean> {
  refuseManaged(slug);
  const { count } = await db.integration.deleteMany({ where: { workspaceId, slug } });
  if (count > 0) await publishIntegrationChange(db);
  return count > 0;
}
