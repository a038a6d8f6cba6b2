import { z } from 'zod';
import { authed, parseJsonBody } from '@/lib/api';
import { recordAudit } from '@/lib/audit';
import { setWorkspaceSecretAllowList, workspaceSecretAllowList } from '@/lib/secret-roles';

/** Which exposed secrets the workspace may use: null (every one) or names and `PREFIX*` patterns. */
export const GET = authed({ role: 'admin' }, async (_request, _context, { db, workspace }) =>
  Response.json({ workspace, allowedSecrets: await workspaceSecretAllowList(db, workspace.id) }),
);

const settingsSchema = z.object({
  allowedSecrets: z
    .array(
      z
        .string()
        .trim()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*\*?$/, 'must be a variable name, or a name prefix ending in *')
        .max(200),
    )
    .max(200)
    .nullable(),
});

export const PUT = authed({ role: 'admin' }, async (request, _context, { db, workspace, actor }) => {
  const body = await parseJsonBody(request, settingsSchema);
  if (!body.ok) return body.response;
  const before = await workspaceSecretAllowList(db, workspace.id);
  await setWorkspaceSecretAllowList(db, workspace.id, body.data.allowedSecrets);
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'workspace.update',
    objectType: 'workspace',
    objectId: workspace.id,
    // Named so the diff keeps it (a key containing "secret" is left out as a possible value).
    before: { allowedVariables: before },
    after: { allowedVariables: body.data.allowedSecrets },
  });
  return Response.json({ workspace, allowedSecrets: body.data.allowedSecrets });
});
