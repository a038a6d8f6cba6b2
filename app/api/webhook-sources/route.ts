import { authed, parseJsonBody, parseQuery } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { rangeQuerySchema } from '@/lib/model';
import { countTotals, createSource, listSources, sourceSchema, sourceView } from '@/lib/webhooks';

export const dynamic = 'force-dynamic';

const querySchema = rangeQuerySchema({}, { defaultSpanMs: 86_400_000 });

/** The workspace's sources with their counts per outcome over the range (default: the last 24 hours). */
export const GET = authed(async (request, _context, { db, workspace }) => {
  const query = parseQuery(request, querySchema);
  if (!query.ok) return query.response;
  const { from, to } = query.data;
  const [sources, totals] = await Promise.all([listSources(db, workspace.id), countTotals(db, { from, to })]);
  return Response.json({
    from,
    to,
    sources: sources.map((s) => ({ ...sourceView(s), counts: totals.get(s.id) ?? null })),
  });
});

/** Editors and up; slugs are unique per workspace. */
export const POST = authed({ role: 'editor' }, async (request, _context, { db, workspace, actor }) => {
  const body = await parseJsonBody(request, sourceSchema);
  if (!body.ok) return body.response;
  const source = sourceView(await createSource(db, workspace.id, body.data));
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'source.create',
    objectType: 'webhookSource',
    objectId: source.slug,
    after: source,
  });
  return Response.json({ source }, { status: 201 });
});
