import { z } from 'zod';
import { instantSchema, patchOf } from '@/lib/model';
import { secretNameSchema } from '@/lib/secrets';

export const SCHEMES = ['standard', 'stripe', 'hmac'] as const;
export type Scheme = (typeof SCHEMES)[number];
export const DEDUP_BY = ['id', 'field', 'hash'] as const;
export const HMAC_ALGORITHMS = ['sha256', 'sha1', 'sha512'] as const;

/** Why a delivery was refused, each with the status the sender gets. */
export const REJECTIONS = {
  missing_headers: 400,
  bad_signature: 401,
  stale: 401,
  too_large: 413,
  unsupported_body: 415,
  misconfigured: 503,
} as const;
export type RejectionReason = keyof typeof REJECTIONS;

/** Every outcome counted per source and minute (WebhookCount.outcome), in the order the dashboard shows them. */
export const OUTCOMES = [
  'received',
  'duplicate',
  'forwarded',
  'failed',
  ...(Object.keys(REJECTIONS) as RejectionReason[]),
] as const;
export type Outcome = (typeof OUTCOMES)[number];

const headerName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9-]{1,64}$/, 'must be an HTTP header name');

/** Options of the generic HMAC scheme (ignored by the others). */
export const hmacOptionsSchema = z
  .object({
    algorithm: z.enum(HMAC_ALGORITHMS).default('sha256'),
    /** the header carrying the signature */
    header: headerName.default('x-signature'),
    encoding: z.enum(['hex', 'base64']).default('hex'),
    /** text before the signature in the header, e.g. "sha256=" (GitHub) */
    prefix: z.string().max(32).default(''),
    /** a header with the send time in seconds; checked against the tolerance when set */
    timestampHeader: headerName.nullish(),
    /** what is signed: the raw body, or `${timestamp}.${body}` (needs timestampHeader) */
    payload: z.enum(['body', 'timestamp.body']).default('body'),
    /** a header carrying the event id, for dedupBy "id" */
    idHeader: headerName.nullish(),
  })
  .strict();
export type HmacOptions = z.output<typeof hmacOptionsSchema>;

export const sourceFields = z.object({
  name: z.string().trim().min(1, 'is required').max(100),
  slug: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, starting with a letter or digit'),
  /** the integration whose base URL is the application receiving the verified events */
  integration: z.string().trim().min(1, 'is required').max(100),
  forwardPath: z.string().trim().max(2048).regex(/^\//, 'must start with /').default('/'),
  scheme: z.enum(SCHEMES, { message: `must be one of ${SCHEMES.join(', ')}` }),
  secretEnv: secretNameSchema,
  /** during a rotation, the variable holding the previous secret; either verifies */
  previousSecretEnv: secretNameSchema.nullish(),
  options: hmacOptionsSchema.prefault({}),
  /** how far a delivery's timestamp may be from now, both directions */
  toleranceSeconds: z.number().int().min(1).max(86_400).default(300),
  maxBodyBytes: z
    .number()
    .int()
    .min(1)
    .max(10 * 1024 * 1024)
    .default(1024 * 1024),
  /** id: the scheme's event id (webhook-id, Stripe's body id, the HMAC idHeader); field: a JSON field; hash: SHA-256 of the body */
  dedupBy: z.enum(DEDUP_BY).optional(),
  /** dotted path of the JSON field, for dedupBy "field" */
  dedupField: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'must be a dotted JSON path such as data.id')
    .nullish(),
});

function checkSource(value: z.output<typeof sourceFields>, ctx: z.RefinementCtx): void {
  if (value.secretEnv === value.previousSecretEnv)
    ctx.addIssue({ code: 'custom', path: ['previousSecretEnv'], message: 'must differ from secretEnv' });
  if (value.dedupBy === 'field' && !value.dedupField)
    ctx.addIssue({ code: 'custom', path: ['dedupField'], message: 'is required when dedupBy is "field"' });
  if (value.scheme === 'hmac' && value.dedupBy === 'id' && !value.options.idHeader)
    ctx.addIssue({
      code: 'custom',
      path: ['options', 'idHeader'],
      message: 'is required for dedupBy "id" with the hmac scheme (or dedup by "field" or "hash")',
    });
  if (value.options.payload === 'timestamp.body' && !value.options.timestampHeader)
    ctx.addIssue({
      code: 'custom',
      path: ['options', 'timestampHeader'],
      message: 'is required when the payload is "timestamp.body"',
    });
}

/**
 * Defaults that depend on other fields: dedup by the scheme's event id, except an HMAC source without an
 * id header, which dedups by body hash; options only matter for the HMAC scheme and are stored empty otherwise.
 */
function withDerivedDefaults(value: z.output<typeof sourceFields>) {
  const dedupBy = value.dedupBy ?? (value.scheme === 'hmac' && !value.options.idHeader ? 'hash' : 'id');
  return {
    ...value,
    dedupBy,
    dedupField: dedupBy === 'field' ? (value.dedupField ?? null) : null,
    previousSecretEnv: value.previousSecretEnv ?? null,
    options: value.scheme === 'hmac' ? value.options : null,
  };
}

/** The one schema for a webhook source, used by the API, the form and the demo; it gives the defaults. */
export const sourceSchema = sourceFields.superRefine(checkSource).transform(withDerivedDefaults);
export type SourceConfig = z.output<typeof sourceSchema>;

/** A PATCH body: any subset of the fields, none defaulted; the merged source is validated with sourceSchema. */
export const sourcePatchSchema = patchOf(sourceFields);

/** received: stored, its forward not yet tried; forwarding: tried, retrying; forwarded; failed (dead letter). */
export const EVENT_STATES = ['received', 'forwarding', 'forwarded', 'failed'] as const;
export type EventState = (typeof EVENT_STATES)[number];

const filterText = z.string().trim().min(1).max(200).optional();

/** The events explorer's filter. A bulk replay takes exactly this one, so it replays what the explorer lists. */
export const eventFilterSchema = z.object({
  source: filterText,
  state: z.enum(EVENT_STATES).optional(),
  from: instantSchema.optional(),
  to: instantSchema.optional(),
  /** an event id, or text within the dedup key or the headers */
  q: filterText,
});
export type EventFilter = z.output<typeof eventFilterSchema>;

export const MAX_BULK_EVENT_REPLAY = 1000;

export const bulkEventReplaySchema = z
  .object({
    // Strict: a filter key the replay did not understand would replay more events than the explorer lists.
    filter: eventFilterSchema.strict().default({}),
    idempotency: z.enum(['reuse', 'new']).default('reuse'),
    dryRun: z.boolean().default(false),
    limit: z.number().int().min(1).max(MAX_BULK_EVENT_REPLAY).default(MAX_BULK_EVENT_REPLAY),
  })
  .strict();
export type BulkEventReplayInput = z.output<typeof bulkEventReplaySchema>;
