import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { notFound, unauthorized, unstorablePathResponse } from '@/lib/api';
import { bearerToken, verifyApiToken } from '@/lib/auth';
import { getDb } from '@/lib/db';
import {
  findIntegration,
  forwardCall,
  gatewayErrorResponse,
  requestBodyOf,
  responseHeaders,
  withGatewaySecurityHeaders,
} from '@/lib/integrations';
import { GATEWAY_RAW_QUERY_HEADER } from '@/lib/model';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ integration: string; path: string[] }> };

/** The gateway: a caller's request, authorized by API token, sent to the integration through its resilient client. */
async function handle(request: Request, context: Context): Promise<Response> {
  return withGatewaySecurityHeaders(await forward(request, context));
}

async function forward(request: Request, { params }: Context): Promise<Response> {
  const badPath = unstorablePathResponse(request);
  if (badPath) return badPath;
  const requestId = randomUUID();
  const db = getDb();
  const owner = await verifyApiToken(db, bearerToken(request));
  if (!owner) return unauthorized();
  const { integration: slug, path } = await params;
  const integration = await findIntegration(db, slug);
  if (!integration) return notFound(`integration "${slug}"`);
  try {
    const declared = request.headers.get('content-length');
    const source = request.body ? Readable.fromWeb(request.body as NodeReadableStream) : Readable.from([]);
    const body = await requestBodyOf(source, request.method, declared === null ? undefined : Number(declared));
    const response = await forwardCall(integration, {
      method: request.method,
      segments: path,
      search: request.headers.get(GATEWAY_RAW_QUERY_HEADER) ?? new URL(request.url).search,
      headers: request.headers,
      ...('stream' in body ? { body: body.stream, bodyLength: body.length } : { body: body.body }),
      streamResponse: true,
      signal: request.signal,
      requestId,
      callerKey: owner.tokenId,
    });
    const empty = response.status === 204 || response.status === 304 || request.method === 'HEAD';
    if (empty) response.stream?.resume();
    const answer = empty
      ? null
      : response.stream
        ? (Readable.toWeb(response.stream) as ReadableStream<Uint8Array>)
        : (response.body as Uint8Array<ArrayBuffer>);
    return new Response(answer, { status: response.status, headers: responseHeaders(response) });
  } catch (error) {
    return gatewayErrorResponse(error, requestId);
  }
}

export {
  handle as DELETE,
  handle as GET,
  handle as HEAD,
  handle as OPTIONS,
  handle as PATCH,
  handle as POST,
  handle as PUT,
};
