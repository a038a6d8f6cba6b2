import { type Db, getDb } from '@/lib/db';
import { DomainError } from '@/lib/model';
import { SecretUnavailableError } from '@/lib/secrets';
import { processSingleton } from '@/lib/server/singleton';

/**
 * A secret plays one role: it verifies what an inbound webhook source receives, or it authenticates and
 * signs what Breakwater sends (integration credentials, alert channels, sync sinks, job completion
 * webhooks). A name in both roles would make Breakwater a signing oracle for its own inbound sources, so
 * each save refuses a name already used in the other role, and each outbound use re-checks.
 */
export type SecretRole = 'verification' | 'outbound';

/** A save that would use a secret in both roles; `field` is the input field naming it. */
export class SecretRoleConflictError extends DomainError {
  declare readonly field: string;

  constructor(
    field: string,
    readonly variable: string,
    usedAs: string,
  ) {
    const reason = `the secret ${variable} is already used as ${usedAs}: a secret verifies inbound webhooks or signs outbound requests, never both`;
    super(`invalid ${field}: ${reason}`, 400, 'secret_role_conflict', field, [{ field, message: reason }]);
  }
}

/** An outbound use of a name that is (now) an inbound source's verification secret. */
export class SecretRoleRefusedError extends SecretUnavailableError {
  constructor(variable: string) {
    super(variable, `the secret ${variable} verifies an inbound webhook source, so it is never used to send or sign`);
  }
}

/** A use of a secret name: what it is to a reader of the same workspace, and the workspace it is in. */
interface SecretUse {
  label: string;
  workspaceId: string;
}

async function verificationUse(db: Db, name: string): Promise<SecretUse | null> {
  const source = await db.webhookSource.findFirst({
    where: { OR: [{ secretEnv: name }, { previousSecretEnv: name }] },
    select: { slug: true, workspaceId: true },
  });
  return (
    source && { label: `the verification secret of webhook source "${source.slug}"`, workspaceId: source.workspaceId }
  );
}

async function outboundUse(db: Db, name: string): Promise<SecretUse | null> {
  const [integration, channel, sync, job] = await Promise.all([
    // the sandbox target and the OAuth2 settings are JSON: the names appear there as quoted strings
    db.integration.findFirst({
      where: {
        OR: [
          { secretEnv: name },
          { secondarySecretEnv: name },
          { sandbox: { contains: JSON.stringify(name) } },
          { oauth2: { contains: JSON.stringify(name) } },
        ],
      },
      select: { slug: true, workspaceId: true },
    }),
    db.alertChannel.findFirst({ where: { secretEnv: name }, select: { name: true, workspaceId: true } }),
    db.sync.findFirst({ where: { sinkSecretEnv: name }, select: { slug: true, workspaceId: true } }),
    db.job.findFirst({ where: { completionSecretEnv: name }, select: { id: true, workspaceId: true } }),
  ]);
  if (integration)
    return { label: `the credential of integration "${integration.slug}"`, workspaceId: integration.workspaceId };
  if (channel) return { label: `the secret of alert channel "${channel.name}"`, workspaceId: channel.workspaceId };
  if (sync) return { label: `the signing secret of sync "${sync.slug}"`, workspaceId: sync.workspaceId };
  if (job) return { label: `the completion webhook secret of job ${job.id}`, workspaceId: job.workspaceId };
  return null;
}

/** Exposed secret names, or prefix patterns ending in `*`, a workspace may use; null: every exposed secret. */
export type SecretAllowList = string[] | null;

/** A workspace's allow list (its admin sets it; the `default` workspace allows all). Unknown workspace: none. */
export async function workspaceSecretAllowList(db: Db, workspaceId: string): Promise<SecretAllowList> {
  const row = await db.workspace.findUnique({ where: { id: workspaceId }, select: { allowedSecrets: true } });
  if (!row) return [];
  if (row.allowedSecrets === null) return null;
  const parsed: unknown = JSON.parse(row.allowedSecrets);
  return Array.isArray(parsed) ? parsed.filter((entry): entry is string => typeof entry === 'string') : [];
}

export async function setWorkspaceSecretAllowList(db: Db, workspaceId: string, list: SecretAllowList): Promise<void> {
  await db.workspace.update({
    where: { id: workspaceId },
    data: { allowedSecrets: list === null ? null : JSON.stringify(list) },
  });
}

/** Whether a secret name matches an allow list (exact names, or `PREFIX*` patterns). */
export function secretAllowed(list: SecretAllowList, name: string): boolean {
  if (list === null) return true;
  return list.some((entry) => (entry.endsWith('*') ? name.startsWith(entry.slice(0, -1)) : entry === name));
}

/** A save naming a secret its workspace may not use. */
export class SecretNotAllowedError extends DomainError {
  constructor(field: string, variable: string) {
    const reason = `this workspace may not use the secret ${variable}: its admin allows secrets in the workspace settings`;
    super(`invalid ${field}: ${reason}`, 400, 'secret_not_allowed', field, [{ field, message: reason }]);
  }
}

/** Throws SecretNotAllowedError for the first name the workspace's allow list does not match. */
export async function assertWorkspaceSecrets(
  db: Db,
  workspaceId: string,
  names: readonly { field: string; name: string | null | undefined }[],
): Promise<void> {
  if (!names.some(({ name }) => name)) return;
  const list = await workspaceSecretAllowList(db, workspaceId);
  for (const { field, name } of names)
    if (name && !secretAllowed(list, name)) throw new SecretNotAllowedError(field, name);
}

/**
 * Throws SecretRoleConflictError when a name about to be saved in `role` is already stored in the other,
 * and, given the saving workspace, SecretNotAllowedError for a name its allow list does not match.
 * Names are checked in order; null and undefined are skipped.
 */
export async function assertSecretRole(
  db: Db,
  role: SecretRole,
  names: readonly { field: string; name: string | null | undefined }[],
  workspaceId?: string,
): Promise<void> {
  if (workspaceId !== undefined) await assertWorkspaceSecrets(db, workspaceId, names);
  for (const { field, name } of names) {
    if (!name) continue;
    const use = role === 'outbound' ? await verificationUse(db, name) : await outboundUse(db, name);
    if (!use) continue;
    // A secret's role is the instance's (it is one environment variable), but another workspace's objects are
    // not named to this one.
    const usedAs =
      workspaceId === undefined || use.workspaceId === workspaceId
        ? use.label
        : role === 'outbound'
          ? 'a webhook verification secret in another workspace'
          : 'an outbound credential in another workspace';
    throw new SecretRoleConflictError(field, name, usedAs);
  }
}

// Outbound sends re-check the current verification names; they change only when a source is saved, so a
// short-lived copy spares a query per call (a source saved on another instance is seen within the TTL).
const VERIFICATION_NAMES_TTL_MS = 5000;
const verificationNames = () =>
  processSingleton('verification-secrets', () => ({}) as { cached?: { names: Promise<Set<string>>; at: number } });

async function loadVerificationNames(db: Db): Promise<Set<string>> {
  const rows = await db.webhookSource.findMany({ select: { secretEnv: true, previousSecretEnv: true } });
  return new Set(rows.flatMap((row) => [row.secretEnv, row.previousSecretEnv].filter((n): n is string => !!n)));
}

/** Drops the cached verification names (a source was created, changed or deleted). */
export function forgetVerificationSecrets(): void {
  verificationNames().cached = undefined;
}

/** Throws SecretRoleRefusedError when `name` currently verifies an inbound source; call before sending or signing. */
export async function assertOutboundSecret(name: string, db?: Db): Promise<void> {
  const cached = verificationNames().cached;
  let names = cached && Date.now() - cached.at < VERIFICATION_NAMES_TTL_MS ? cached.names : undefined;
  if (!names) {
    // The database only when the cache is stale: this runs on every gateway call.
    names = loadVerificationNames(db ?? getDb());
    verificationNames().cached = { names, at: Date.now() };
    names.catch(forgetVerificationSecrets);
  }
  if ((await names).has(name)) throw new SecretRoleRefusedError(name);
}
