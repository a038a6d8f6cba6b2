import { randomUUID } from 'node:crypto';
import { notFound, unauthorized, unstorablePathResponse } from '@/lib/api';
import { bearerToken, tokenOwnerForGateway } from '@/lib/auth';
import {
  forwardCall,
  gatewayErrorResponse,
  integrationForGateway,
  readBody,
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
  // Token and integration from memory: no database read per call, and calls go on through an outage.
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
