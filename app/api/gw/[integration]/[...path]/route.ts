import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { notFound, unauthorized, unstorablePathResponse } from '@/lib/api';
import { bearerToken, tokenOwnerForGateway } from '@/lib/auth';
import {
  forwardCall,
  gatewayErrorResponse,
  gatewayRequestId,
  integrationForGateway,
  requestBodyOf,
  responseHeaders,
  withGatewaySecurityHeaders,
} from '@/lib/integrations';
import { GATEWAY_RAW_QUERY_HEADER } from '@/lib/model';
import { type GatewayTrace, gatewayTrace, recordGatewaySpan } from '@/lib/telemetry';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ integration: string; path: string[] }> };

const GATEWAY_ROUTE = '/api/gw/{integration}/{path}';

/**
 * The gateway: a caller's request, authorized by API token, sent to the integration through its resilient
 * client. Every answer carries the request id; the request is a SERVER span continuing the caller's trace.
 */
async function handle(request: Request, context: Context): Promise<Response> {
  const startedAt = Date.now();
  const started = performance.now();
  const requestId = gatewayRequestId(request.headers.get('x-request-id') ?? undefined);
  const trace = gatewayTrace(
    request.headers.get('traceparent') ?? undefined,
    request.headers.get('tracestate') ?? undefined,
  );
  const { integration } = await context.params;
  const failure: { errorType?: string } = {};
  const response = withGatewaySecurityHeaders(await forward(request, context, requestId, trace, failure));
  response.headers.set('x-request-id', requestId);
  recordGatewaySpan(trace, {
    method: request.method,
    route: GATEWAY_ROUTE,
    integration,
    status: response.status,
    requestId,
    startedAt,
    durationMs: performance.now() - started,
    errorType: failure.errorType,
    scheme: request.url.startsWith('https:') ? 'https' : 'http',
  });
  return response;
}

async function forward(
  request: Request,
  { params }: Context,
  requestId: string,
  trace: GatewayTrace,
  failure: { errorType?: string },
): Promise<Response> {
  const badPath = unstorablePathResponse(request);
  if (badPath) return badPath;
  const owner = tokenOwnerForGateway(bearerToken(request));
  if (!owner) return unauthorized();
  const { integration: slug, path } = await params;
  const integration = integrationForGateway(slug);
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
      traceparent: trace.traceparent,
      tracestate: trace.tracestate,
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
    failure.errorType = (error as { errorType?: string }).errorType;
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
