import { channelSchema, channelView, createChannel, listChannels } from '@/lib/alerts';
import { authed, parseJsonBody } from '@/lib/api';
import { recordAudit } from '@/lib/audit';

export const GET = authed(async (_request, _context, { db, workspace }) =>
  Response.json({ channels: (await listChannels(db, workspace.id)).map((c) => channelView(c)) }),
);

/** Editors and up. */
export const POST = authed({ role: 'editor' }, async (request, _context, { db, workspace, actor }) => {
  const body = await parseJsonBody(request, channelSchema);
  if (!body.ok) return body.response;
  const channel = await createChannel(db, workspace.id, body.data);
  await recordAudit(db, actor, {
    workspaceId: workspace.id,
    action: 'channel.create',
    objectType: 'alertChannel',
    objectId: channel.id,
    after: channel,
  });
  return Response.json({ channel: channelView(channel) }, { status: 201 });
});
