import { z } from 'zod';
import { authed, parseQuery } from '@/lib/api';
import { AUDIT_PAGE_MAX, isAuditCursor, listAuditEvents } from '@/lib/audit';

const auditQuery = z.object({
  actor: z.string().max(200).optional(),
  objectType: z.string().max(100).optional(),
  objectId: z.string().max(200).optional(),
  action: z.string().max(100).optional(),
  from: z.coerce.date('must be a date or time (ISO 8601)').optional(),
  to: z.coerce.date('must be a date or time (ISO 8601)').optional(),
  cursor: z.string().max(200).refine(isAuditCursor, 'is not a cursor this API gave').optional(),
  limit: z.coerce.number().int().min(1).max(AUDIT_PAGE_MAX).optional(),
  ws: z.string().optional(),
});

/**
 * The workspace's audit log, newest first (admins only). Read-only: no route changes or deletes an event;
 * only retention (BREAKWATER_AUDIT_RETENTION_DAYS) removes old ones. Other methods answer 405.
 */
export const GET = authed({ role: 'admin' }, async (request, _context, { db, workspace }) => {
  const query = parseQuery(request, auditQuery);
  if (!query.ok) return query.response;
  const { ws: _ws, ...filters } = query.data;
  return Response.json(await listAuditEvents(db, workspace.id, filters));
});
