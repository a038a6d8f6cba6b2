import { z } from 'zod';
import { authed, jsonError, parseJsonBody } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { createApiToken, listApiTokens } from '@/lib/auth';
import { type Role, roleAtLeast, TOKEN_SCOPES, type TokenScope } from '@/lib/model';

const DAY_MS = 24 * 3600_000;
const perIntegration = (what: string) =>
  z.record(z.string().min(1).max(100), z.number().int().positive(`${what} must be a positive whole number`).max(1e9));

const tokenSchema = z
  .object({
    name: z.string().trim().min(1, 'is required').max(100),
    // Omitted: all four, as tokens had before scopes (the granter's own limits still apply).
    scopes: z
      .array(z.enum(TOKEN_SCOPES))
      .min(1, 'name at least one of gateway, read, write, admin')
      .max(4)
      .default([...TOKEN_SCOPES]),
    integrations: z.array(z.string().min(1).max(100)).max(500).nullish(),
    expiresAt: z.iso
      .datetime({ offset: true })
      .transform((value) => new Date(value))
      .refine((date) => date.getTime() > Date.now(), 'must be in the future')
      .nullish(),
    expiresInDays: z.number().int().min(1).max(3650).optional(),
    rateLimitPerMinute: z.union([z.number().int().positive().max(1e6), perIntegration('a rate limit')]).nullish(),
    monthlyQuota: perIntegration('a quota').nullish(),
  })
  .strict()
  .refine((body) => !(body.expiresAt && body.expiresInDays), {
    path: ['expiresInDays'],
    message: 'give expiresAt or expiresInDays, not both',
  });

/** The least role that may hand out a scope: no member grants more than they have. */
const SCOPE_NEEDS: Record<TokenScope, Role> = { gateway: 'operator', read: 'viewer', write: 'editor', admin: 'admin' };

/** The workspace's tokens (every member's), for its admins. Values are never listed: only prefixes. */
export const GET = authed({ role: 'admin' }, async (_request, _context, { db, workspace }) =>
  Response.json({ tokens: await listApiTokens(db, workspace.id) }),
);

/** The clear token is in this response only; it is stored hashed. */
export const POST = authed({ role: 'admin' }, async (request, _context, auth) => {
  const { db, workspace, role, access } = auth;
  const body = await parseJsonBody(request, tokenSchema);
  if (!body.ok) return body.response;
  const spec = body.data;
  const scopes = [...new Set(spec.scopes)];
  const above = scopes.find(
    (scope) => !roleAtLeast(role, SCOPE_NEEDS[scope]) || (access.token && !access.token.scopes.includes(scope)),
  );
  if (above)
    return jsonError(400, `invalid scopes: you may not grant the "${above}" scope (it is above your own)`, {
      field: 'scopes',
    });

  // Every slug named (allow-list, rate limits, quotas) must be an integration of this workspace.
  const rateLimits =
    typeof spec.rateLimitPerMinute === 'number' ? { '*': spec.rateLimitPerMinute } : (spec.rateLimitPerMinute ?? null);
  const named = new Set([
    ...(spec.integrations ?? []),
    ...Object.keys(rateLimits ?? {}).filter((slug) => slug !== '*'),
    ...Object.keys(spec.monthlyQuota ?? {}),
  ]);
  const known = new Set(
    (
      await db.integration.findMany({
        where: { workspaceId: workspace.id, slug: { in: [...named] } },
        select: { slug: true },
      })
    ).map((integration) => integration.slug),
  );
  for (const [field, slugs] of [
    ['integrations', spec.integrations ?? []],
    ['rateLimitPerMinute', Object.keys(rateLimits ?? {}).filter((slug) => slug !== '*')],
    ['monthlyQuota', Object.keys(spec.monthlyQuota ?? {})],
  ] as const) {
    const unknown = slugs.find((slug) => !known.has(slug));
    if (unknown !== undefined)
      return jsonError(400, `invalid ${field}: no integration "${unknown}" in this workspace`, { field });
  }
  const gatewayLimits = rateLimits || spec.monthlyQuota || spec.integrations?.length;
  if (gatewayLimits && !scopes.includes('gateway'))
    return jsonError(400, 'invalid scopes: integrations, rate limits and quotas need the "gateway" scope', {
      field: 'scopes',
    });

  const expiresAt = spec.expiresAt ?? (spec.expiresInDays ? new Date(Date.now() + spec.expiresInDays * DAY_MS) : null);
  const { token, view } = await createApiToken(db, auth.user.id, workspace.id, {
    name: spec.name,
    scopes,
    integrations: spec.integrations?.length ? [...new Set(spec.integrations)] : null,
    expiresAt,
    rateLimits,
    quotas: spec.monthlyQuota ?? null,
  });
  await recordAudit(db, auth.actor, {
    workspaceId: workspace.id,
    action: 'token.create',
    objectType: 'token',
    objectId: view.id,
    after: view,
  });
  return Response.json({ token, ...view }, { status: 201 });
});
