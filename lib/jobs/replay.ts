import { randomUUID } from 'node:crypto';
import type { Db } from '@/lib/db';
import {
  activeTarget,
  clientFor,
  findIntegration,
  type Integration,
  redactionOf,
  TOKEN_ROUTE,
  UnsafePathError,
  upstreamPath,
} from '@/lib/integrations';
import { DomainError } from '@/lib/model';
import { findCallId } from '@/lib/queries';
import { redactHeaders, redactText } from '@/lib/redaction';
import type { CallSummary } from '@/lib/resilience';
import { SecretUnavailableError } from '@/lib/secrets';
import { getRecorder, REDACTED } from '@/lib/telemetry';
import type { ReplayInput } from './schema';
import {
  headerValue,
  idempotencyHeader,
  relativeToBase,
  type StoredRequest,
  sendStored,
  splitPath,
  withHeader,
} from './send';

/** A replay that cannot be made as asked: the status and field say why. */
export class ReplayRefusedError extends DomainError {
  constructor(message: string, status: 400 | 404 | 409 | 503, field?: string) {
    super(message, status, 'replay_refused', field);
  }
}

// Set by the client for every call; a replay gets its own.
const PER_CALL_HEADERS = new Set(['x-request-id', 'traceparent', 'tracestate', 'content-length']);
const CUT_BODY = /…\[\d+ more bytes\]$/;

export interface ReplayPlan {
  integration: Integration;
  callId: string;
  request: StoredRequest;
  idempotencyKey?: string;
}

/** Recorded headers that can be sent again: credentials come from the integration, never from "[redacted]". */
export function resendableHeaders(headers: Record<string, string>, integration: Integration): Record<string, string> {
  const out: Record<string, string> = {};
  const idempotency = idempotencyHeader(integration).toLowerCase();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (PER_CALL_HEADERS.has(lower) || lower === idempotency || value.includes(REDACTED)) continue;
    out[lower] = value;
  }
  return out;
}

function checkRecordedBody(method: string, body: string | null, recordedHeaders: Record<string, string>) {
  if (body && CUT_BODY.test(body))
    throw new ReplayRefusedError(
      'the recorded request body was cut at the call log cap (4 KiB), so it cannot be replayed as recorded: edit and replay with the full body',
      409,
      'body',
    );
  if (body?.includes(REDACTED))
    throw new ReplayRefusedError(
      'the recorded request body had a secret redacted, so it cannot be replayed as recorded: edit and replay with the full body',
      409,
      'body',
    );
  if (!body && method !== 'GET' && method !== 'HEAD' && headerValue(recordedHeaders, 'content-type'))
    throw new ReplayRefusedError(
      'the request body of this call was not recorded, so it cannot be replayed as recorded: edit and replay with the body',
      409,
      'body',
    );
}

function withQuery(path: string, query: string | Record<string, string>): string {
  const base = path.split('?')[0];
  const search = typeof query === 'string' ? query.replace(/^\?/, '') : new URLSearchParams(query).toString();
  return search ? `${base}?${search}` : base;
}

/** Works out the exact request a replay sends, or refuses with the reason. */
export async function planReplay(
  db: Db,
  workspaceId: string,
  idOrRequestId: string,
  input: ReplayInput,
  /** the key `idempotency: "new"` sends (a bulk run derives it, so a resend after a crash repeats it) */
  newKey: string = randomUUID(),
): Promise<ReplayPlan> {
  // A request id names its newest call; the replay links to that call's own id.
  const id = await findCallId(db, workspaceId, idOrRequestId);
  if (id === null) throw new ReplayRefusedError(`call "${idOrRequestId}" not found`, 404);
  const call = await db.callLog.findUnique({
    where: { id },
    select: {
      method: true,
      path: true,
      requestHeaders: true,
      requestBody: true,
      route: true,
      integration: { select: { slug: true } },
    },
  });
  if (!call) throw new ReplayRefusedError(`call "${idOrRequestId}" not found`, 404);
  if (call.route === TOKEN_ROUTE)
    throw new ReplayRefusedError(
      'an OAuth2 token request is not replayed: every call (and replay) gets a token of its own',
      409,
      'route',
    );
  const stored = await findIntegration(db, workspaceId, call.integration.slug);
  if (!stored) throw new ReplayRefusedError(`integration "${call.integration.slug}" not found`, 404);
  // A replay goes where calls go now: the active environment's target.
  const integration = activeTarget(stored);
  const recordedHeaders = JSON.parse(call.requestHeaders) as Record<string, string>;
  const edit = input.mode === 'edited' ? (input.edit ?? {}) : {};
  const method = edit.method ?? call.method;
  let path = edit.path ?? relativeToBase(integration.baseUrl, call.path);
  if (edit.query !== undefined) path = withQuery(path, edit.query);
  if (path.includes(REDACTED))
    throw new ReplayRefusedError('the recorded path had a secret redacted: edit and replay with the path', 409, 'path');
  const headers = resendableHeaders(edit.headers ?? recordedHeaders, integration);
  let body: string | null;
  if ('body' in edit) body = edit.body ?? null;
  else {
    body = call.requestBody;
    checkRecordedBody(method, body, recordedHeaders);
  }
  const unsafe = method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
  const originalKey = headerValue(recordedHeaders, idempotencyHeader(integration));
  const idempotencyKey = input.idempotency === 'reuse' ? originalKey : unsafe ? newKey : undefined;
  return {
    integration,
    callId: id,
    request: {
      method,
      path,
      headers: idempotencyKey ? withHeader(headers, idempotencyHeader(integration), idempotencyKey) : headers,
      body,
    },
    idempotencyKey,
  };
}

/** The request a plan sends, as a dry run shows it: the credential's header is there, its value is not. */
export function describePlan(plan: ReplayPlan) {
  const { integration, request } = plan;
  const { segments, search } = splitPath(request.path);
  const rules = redactionOf(integration);
  const headers = redactHeaders(request.headers, rules);
  if (['bearer', 'basic', 'oauth2'].includes(integration.authScheme)) headers.authorization = REDACTED;
  else if (integration.authScheme !== 'none' && integration.authHeader)
    headers[integration.authHeader.toLowerCase()] = REDACTED;
  const url = `${new URL(integration.baseUrl).origin}${upstreamPath(integration.baseUrl, segments, search)}`;
  return {
    integration: integration.slug,
    method: request.method.toUpperCase(),
    url: redactText(url, rules),
    headers,
    body: request.body ? redactText(request.body, rules) : null,
    idempotencyKey: plan.idempotencyKey ?? null,
  };
}

export interface ReplayResult {
  replayId: string;
  replayOf: string;
  status: number | null;
  outcome: string;
  error?: string;
  request: ReturnType<typeof describePlan>;
}

/**
 * Sends a replay as a new call through the integration's client and links it to its original. Its call log
 * row is written with the telemetry's next flush: a caller that shows it at once flushes (replayCall does).
 */
export async function executeReplay(plan: ReplayPlan, signal?: AbortSignal): Promise<ReplayResult> {
  const replayId = randomUUID();
  let summary: CallSummary | undefined;
  const off = clientFor(plan.integration).events.on('call.end', (event) => {
    if (event.summary.requestId === replayId) summary = event.summary;
  });
  let error: unknown;
  try {
    // The tag reaches the call log through telemetry: the replay is kept and linked to its original.
    await sendStored(plan.integration, plan.request, replayId, signal, { replayOfId: plan.callId });
  } catch (caught) {
    error = caught;
  } finally {
    off();
  }
  if (error instanceof SecretUnavailableError) throw new ReplayRefusedError(error.message, 503, 'secretEnv');
  return {
    replayId,
    replayOf: plan.callId,
    status: summary?.status ?? null,
    outcome: summary?.outcome ?? 'failed',
    ...(error !== undefined && {
      error: redactText(error instanceof Error ? error.message : String(error), redactionOf(plan.integration)),
    }),
    request: describePlan(plan),
  };
}

export async function replayCall(db: Db, workspaceId: string, callId: string, input: ReplayInput) {
  const plan = await planReplay(db, workspaceId, callId, input);
  // Describing the request checks its path as the gateway does, so an unsafe edited path is refused (400)
  // whether it is a dry run or not, before anything is sent.
  let request: ReturnType<typeof describePlan>;
  try {
    request = describePlan(plan);
  } catch (error) {
    if (error instanceof UnsafePathError) throw new UnsafePathError(`invalid edit.path: ${error.message}`, 'edit.path');
    throw error;
  }
  if (input.dryRun) return { dryRun: true as const, request };
  try {
    return { dryRun: false as const, ...(await executeReplay(plan)) };
  } finally {
    // Written before answering, so the caller can open the replay's page at once.
    await getRecorder().flush();
  }
}
