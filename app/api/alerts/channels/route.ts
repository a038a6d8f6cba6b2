import { channelSchema, channelView, createChannel, listChannels } from '@/lib/alerts';
import { authed, parseJsonBody } from '@/lib/api';

export const GET = authed(async (_request, _context, { db }) =>
  Response.json({ channels: (await listChannels(db)).map((c) => channelView(c)) }),
);

export const POST = authed(async (request, _context, { db }) => {
  const body = await parseJsonBody(request, channelSchema);
  if (!body.ok) return body.response;
  return Response.json({ channel: channelView(await createChannel(db, body.data)) }, { status: 201 });
});
