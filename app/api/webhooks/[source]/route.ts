import { randomUUID } from 'node:crypto';
import { domainErrorResponse, jsonError, unstorablePathResponse } from '@/lib/api';
import { getDb } from '@/lib/db';
import { log } from '@/lib/logging';
import { isDomainError } from '@/lib/model';
import { receiveWebhook } from '@/lib/webhooks';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ source: string }> };

async function* emptyBody(): AsyncIterable<Uint8Array> {}

/** Public: a third party's delivery, trusted by its signature (checked in lib/webhooks), not by a session. */
export async function POST(request: Request, { params }: Context): Promise<Response> {
  const badPath = unstorablePathResponse(request);
  if (badPath) return badPath;
  const db = getDb();
  try {
    const answer = await receiveWebhook(db, (await params).source, {
      headers: request.headers,
      body: request.body ?? emptyBody(),
    });
    return Response.json(answer.body, { status: answer.status });
  } catch (error) {
    if (isDomainError(error)) return domainErrorResponse(error);
    const requestId = randomUUID();
    log.error({ err: error, requestId, path: new URL(request.url).pathname }, 'webhook delivery failed');
    return jsonError(500, `internal error (request id ${requestId})`, {}, { 'x-request-id': requestId });
  }
}
