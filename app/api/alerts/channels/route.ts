import { AlertConflictError, channelSchema, channelView, createChannel, listChannels } from '@/lib/alerts';
import { authed, jsonError, parseJsonBody } from '@/lib/api';
import { SecretRoleConflictError } from '@/lib/secret-roles';

export const GET = authed(async (_request, _context, { db }) =>
  Response.json({ channels: (await listChannels(db)).map((c) => channelView(c)) }),
);

export const POST = authed(async (request, _context, { db }) => {
  const body = await parseJsonBody(request, channelSchema);
  if (!body.ok) return body.response;
  try {
    return Response.json({ channel: channelView(await createChannel(db, body.data)) }, { status: 201 });
  } catch (error) {
    if (error instanceof AlertConflictError) return jsonError(409, error.message, { field: error.field });
    if (error instanceof SecretRoleConflictError)
      return jsonError(400, `invalid ${error.field}: ${error.message}`, { field: error.field });
    throw error;
  }
});
