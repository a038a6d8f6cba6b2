/**
 * The caller's query string exactly as sent, set by proxy.ts on gateway requests: the only code that sees
 * the request target before Next re-encodes the query (%20 to +, flag to flag=), which would break
 * signed URLs. Never forwarded upstream.
 */
export const GATEWAY_RAW_QUERY_HEADER = 'x-breakwater-raw-query';
