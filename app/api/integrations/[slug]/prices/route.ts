import { authed, notFound, parseJsonBody } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { listPrices, priceInputSchema, setPrice } from '@/lib/usage';

type Context = { params: Promise<{ slug: string }> };

/** The integration's price versions, oldest first. */
export const GET = authed<Context>(async (_request, { params }, { db, workspace }) => {
  const prices = await listPrices(db, workspace.id, (await params).slug);
  return prices ? Response.json({ prices }) : notFound('integration');
});

/** Sets the price from a UTC day on (one set for the same day replaces it). An editor's; audited. */
export const PUT = authed<Context>({ role: 'editor' }, async (request, { params }, { db, workspace, actor }) => {
  const body = await parseJsonBody(request, priceInputSchema);
  if (!body.ok) return body.response;
  const slug = (await params).slug;
  const price = await setPrice(db, workspace.id, slug, body.data, actor.name);
  if (!price) return notFound('integration');
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'integration.price',
    objectType: 'integration',
    objectId: slug,
    after: { effectiveFrom: price.effectiveFrom, currency: price.currency, rules: price.rules },
  });
  return Response.json({ price });
});
