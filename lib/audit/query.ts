import type { Db } from '@/lib/db';

export interface AuditFilters {
  /** the actor's name (a username, or a token's "token of <username>") or id */
  actor?: string;
  objectType?: string;
  objectId?: string;
  /** an exact action (`member.remove`) or a prefix ending in `.` (`member.`) */
  action?: string;
  from?: Date;
  to?: Date;
  /** from the previous page's `nextCursor` */
  cursor?: string;
  limit?: number;
}

export interface AuditEventView {
  id: string;
  at: string;
  actor: { type: string; id: string; name: string };
  address: string | null;
  action: string;
  objectType: string;
  objectId: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export const AUDIT_PAGE_MAX = 200;

function decodeCursor(cursor: string): { at: Date; id: string } | null {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  return id && !Number.isNaN(date.getTime()) ? { at: date, id } : null;
}

/** Whether a cursor is one this module wrote (a route answers a bad one with a 400). */
export function isAuditCursor(cursor: string): boolean {
  return decodeCursor(cursor) !== null;
}

/** One workspace's audit events, newest first, filtered, a page at a time (keyset paging on at, id). */
export async function listAuditEvents(
  db: Db,
  workspaceId: string,
  filters: AuditFilters = {},
): Promise<{ events: AuditEventView[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(filters.limit ?? 50, 1), AUDIT_PAGE_MAX);
  const after = filters.cursor ? decodeCursor(filters.cursor) : null;
  const at = {
    ...(filters.from ? { gte: filters.from } : {}),
    ...(filters.to ? { lte: filters.to } : {}),
  };
  const rows = await db.auditEvent.findMany({
    where: {
      AND: [
        { workspaceId },
        filters.actor ? { OR: [{ actorName: filters.actor }, { actorId: filters.actor }] } : {},
        filters.objectType ? { objectType: filters.objectType } : {},
        filters.objectId ? { objectId: filters.objectId } : {},
        filters.action
          ? filters.action.endsWith('.')
            ? { action: { startsWith: filters.action } }
            : { action: filters.action }
          : {},
        Object.keys(at).length > 0 ? { at } : {},
        after ? { OR: [{ at: { lt: after.at } }, { at: after.at, id: { lt: after.id } }] } : {},
      ],
    },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    events: page.map((row) => {
      const diff = JSON.parse(row.diff) as {
        before?: Record<string, unknown> | null;
        after?: Record<string, unknown> | null;
      };
      return {
        id: row.id,
        at: row.at.toISOString(),
        actor: { type: row.actorType, id: row.actorId, name: row.actorName },
        address: row.address,
        action: row.action,
        objectType: row.objectType,
        objectId: row.objectId,
        before: diff.before ?? null,
        after: diff.after ?? null,
      };
    }),
    nextCursor:
      rows.length > limit && last
        ? Buffer.from(`${last.at.toISOString()}|${last.id}`, 'utf8').toString('base64url')
        : null,
  };
}
