import { z } from 'zod';
import { authed, jsonError, parseJsonBody } from '@/lib/api';
import { membershipsOf, WORKSPACE_COOKIE, wantsSecureCookie } from '@/lib/auth';

const choiceSchema = z.object({ slug: z.string().trim().min(1, 'is required').max(64) });

// The caller's workspaces with their role, and the one this request is about.
export const GET = authed(async (_request, _context, { db, user, workspace, role }) =>
  Response.json({
    current: { ...workspace, role },
    workspaces: (await membershipsOf(db, user.id)).map((m) => ({ ...m.workspace, role: m.role })),
  }),
);

// The switcher's choice, remembered in a cookie (a preference: pages and API calls that name a workspace win).
// Only a workspace the caller is in; any other is the same 404 as one that does not exist.
export const POST = authed({ role: 'viewer' }, async (request, _context, { db, user }) => {
  const body = await parseJsonBody(request, choiceSchema);
  if (!body.ok) return body.response;
  const membership = (await membershipsOf(db, user.id)).find((m) => m.workspace.slug === body.data.slug);
  if (!membership) return jsonError(404, 'workspace not found', { field: 'slug' });
  const secure = wantsSecureCookie(request) ? '; Secure' : '';
  return Response.json(
    { current: { ...membership.workspace, role: membership.role } },
    {
      headers: {
        'set-cookie': `${WORKSPACE_COOKIE}=${membership.workspace.slug}; Path=/; SameSite=Lax; Max-Age=31536000${secure}`,
      },
    },
  );
});
