import { randomUUID } from 'node:crypto';
import { notFound, unauthorized, unstorablePathResponse } from '@/lib/api';
import { bearerToken, tokenOwnerForGateway } from '@/lib/auth';
import {
  adoptRequestId,
  forwardCall,
  gatewayErrorResponse,
  integrationForGateway,
  readBody,
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
  const { requestId, adopted } = adoptRequestId(request.headers.get('x-request-id') ?? undefined);
  // A caller's own id can come again (its retries resend it): each call still gets its own call-log row.
  const callId = adopted ? randomUUID() : undefined;
  const trace = gatewayTrace(
    request.headers.get('traceparent') ?? undefined,
    request.headers.get('tracestate') ?? undefined,
  );
  const { integration } = await context.params;
  const failure: { errorType?: string } = {};
  const response = withGatewaySecurityHeaders(await forward(request, context, { requestId, callId }, trace, failure));
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
  { requestId, callId }: { requestId: string; callId: string | undefined },
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
    const body = await readBody(request);
    const response = await forwardCall(integration, {
      method: request.method,
      segments: path,
      search: request.headers.get(GATEWAY_RAW_QUERY_HEADER) ?? new URL(request.url).search,
      headers: request.headers,
      body,
      signal: request.signal,
      requestId,
      callId,
      traceparent: trace.traceparent,
      tracestate: trace.tracestate,
      callerKey: owner.tokenId,
    });
    return new Response(
      response.status === 204 || response.status === 304 ? null : (response.body as Uint8Array<ArrayBuffer>),
      {
        status: response.status,
        headers: responseHeaders(response),
      },
    );
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
