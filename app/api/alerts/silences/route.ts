import { createSilence, listSilences, silenceSchema } from '@/lib/alerts';
import { authed, parseJsonBody } from '@/lib/api';

export const GET = authed(async (_request, _context, { db }) => Response.json({ silences: await listSilences(db) }));

export const POST = authed(async (request, _context, { db }) => {
  const body = await parseJsonBody(request, silenceSchema);
  if (!body.ok) return body.response;
  return Response.json({ silence: await createSilence(db, body.data) }, { status: 201 });
});
