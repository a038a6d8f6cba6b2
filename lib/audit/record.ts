import type { Db } from '@/lib/db';

/** Who made a change: a signed-in user or a token (by name and prefix, never its value), and from where. */
export interface AuditActor {
  type: 'user' | 'token';
  id: string;
  name: string;
  address?: string | null;
}

export interface AuditEntry {
  /** null for an instance-level change (one by a user who belongs to no workspace) */
  workspaceId: string | null;
  /** `<object>.<verb>`: integration.create, member.remove, breaker.isolate, deadletter.discard, ... */
  action: string;
  objectType: string;
  objectId: string;
  /** the object before and after the change (omit for a create or a delete); any plain object */
  before?: unknown;
  after?: unknown;
}

// Left out of every diff, at any depth: secret values and credentials (a secret's *name*, such as
// secretEnv, is configuration and stays), and recorded bodies, which can hold personal data.
const OMITTED = /password|tokenhash|^token$|secret(?!env)|credential|apikey|^body$|requestbody|responsebody|payload/i;

type Plain = Record<string, unknown>;

function cleaned(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(cleaned);
  if (value && typeof value === 'object') {
    const out: Plain = {};
    for (const [key, inner] of Object.entries(value)) if (!OMITTED.test(key)) out[key] = cleaned(inner);
    return out;
  }
  return value;
}

/**
 * The fields that differ between `before` and `after` (compared as JSON), each side keeping only those;
 * a create has no before, a delete no after. Secrets and bodies never appear.
 */
export function auditDiff(before: unknown, after: unknown): { before: Plain | null; after: Plain | null } {
  const b = before == null ? null : (cleaned(before) as Plain);
  const a = after == null ? null : (cleaned(after) as Plain);
  if (!b || !a) return { before: b, after: a };
  const changedBefore: Plain = {};
  const changedAfter: Plain = {};
  for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (JSON.stringify(b[key]) === JSON.stringify(a[key])) continue;
    if (key in b) changedBefore[key] = b[key];
    if (key in a) changedAfter[key] = a[key];
  }
  return { before: changedBefore, after: changedAfter };
}

/** Appends one audit event. Call it after the change committed (or inside its transaction, with `tx` as db). */
export async function recordAudit(db: Pick<Db, 'auditEvent'>, actor: AuditActor, entry: AuditEntry): Promise<void> {
  await db.auditEvent.create({
    data: {
      workspaceId: entry.workspaceId,
      actorType: actor.type,
      actorId: actor.id,
      actorName: actor.name,
      address: actor.address ?? null,
      action: entry.action,
      objectType: entry.objectType,
      objectId: entry.objectId,
      diff: JSON.stringify(auditDiff(entry.before, entry.after)),
    },
  });
}

/**
 * For a change to a person rather than a workspace object (their password, their sessions): one event in
 * each workspace they belong to, so each workspace's admins see it; an instance-level one (null) if none.
 */
export async function recordAuditForUser(
  db: Pick<Db, 'auditEvent'>,
  actor: AuditActor,
  workspaceIds: readonly string[],
  entry: Omit<AuditEntry, 'workspaceId'>,
): Promise<void> {
  for (const workspaceId of workspaceIds.length > 0 ? workspaceIds : [null]) {
    await recordAudit(db, actor, { ...entry, workspaceId });
  }
}
