import { z } from 'zod';
import { refuseOutboundUrl } from '@/lib/integrations';
import { patchOf } from '@/lib/model';
import { checkSecretPin, secretNameSchema } from '@/lib/secrets';

/**
 * Every default of a sync, written down once: the API, the form's placeholders and the README read these.
 * The interval bounds are the schedule's limits: more often than every 5 s is a busy loop against someone
 * else's API, less often than daily is not a sync.
 */
export const SYNC_DEFAULTS = {
  mode: 'since',
  /** the checkpoint's query parameter when none is given: the mode's own name (`since` or `cursor`) */
  limitParam: 'limit',
  pageSize: 100,
  maxPages: 10,
  itemsField: 'items',
  nextField: 'next',
  idField: 'id',
  timeField: null,
  intervalSeconds: 60,
  sink: 'events',
  enabled: true,
} as const;
export const INTERVAL_SECONDS = { min: 5, max: 86_400 } as const;
export const SYNC_MODES = ['since', 'cursor'] as const;
export const SYNC_SINKS = ['events', 'webhook'] as const;

const queryParam = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.[\]-]{1,64}$/, 'must be a query parameter name (letters, digits, _ . - [ ])');
const jsonPath = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'must be a dot-separated JSON path such as "data.items"')
  .max(200);
const sinkUrl = z
  .url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' })
  .max(2048)
  .refine((value) => {
    const url = new URL(value);
    return !url.username && !url.password;
  }, 'must not contain credentials: the receiver checks the signature')
  .superRefine(refuseOutboundUrl);

export const syncFields = {
  slug: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, starting with a letter or digit'),
  /** the integration's slug: its base URL, credentials and resilient client are used for every poll */
  integration: z.string().trim().min(1, 'is required').max(100),
  /** relative to the integration's base URL; may carry a fixed query */
  path: z
    .string()
    .trim()
    .min(1, 'is required')
    .max(2048)
    .transform((path) => (path.startsWith('/') ? path : `/${path}`)),
  mode: z.enum(SYNC_MODES).default(SYNC_DEFAULTS.mode),
  cursorParam: queryParam.nullish(),
  limitParam: queryParam.nullable().default(SYNC_DEFAULTS.limitParam),
  pageSize: z.number().int().min(1).max(1000).default(SYNC_DEFAULTS.pageSize),
  maxPages: z.number().int().min(1).max(1000).default(SYNC_DEFAULTS.maxPages),
  itemsField: jsonPath.default(SYNC_DEFAULTS.itemsField),
  nextField: jsonPath.default(SYNC_DEFAULTS.nextField),
  idField: jsonPath.default(SYNC_DEFAULTS.idField),
  timeField: jsonPath.nullable().default(SYNC_DEFAULTS.timeField),
  intervalSeconds: z
    .number({ message: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(INTERVAL_SECONDS.min, `must be at least ${INTERVAL_SECONDS.min} seconds`)
    .max(INTERVAL_SECONDS.max, `must be at most ${INTERVAL_SECONDS.max} seconds (a day)`)
    .default(SYNC_DEFAULTS.intervalSeconds),
  sink: z.enum(SYNC_SINKS).default(SYNC_DEFAULTS.sink),
  sinkUrl: sinkUrl.nullish(),
  sinkSecretEnv: secretNameSchema.nullish(),
  enabled: z.boolean().default(SYNC_DEFAULTS.enabled),
  /** where the first run starts (the feed's beginning when absent); setting it later rewinds or skips */
  checkpoint: z.string().max(2048).nullish(),
};
const KNOWN_FIELDS = new Set(Object.keys(syncFields));

/** Unknown fields are refused by name (a typo such as "intervalSecs" must not silently fall back to a default). */
function refuseUnknownFields(value: unknown, ctx: z.RefinementCtx): void {
  if (typeof value !== 'object' || value === null) return;
  for (const key of Object.keys(value))
    if (!KNOWN_FIELDS.has(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'is not a field of a sync' });
}

type SyncShape = z.output<z.ZodObject<typeof syncFields>>;

function checkSink(value: SyncShape, ctx: z.RefinementCtx): void {
  if (value.sink === 'webhook') {
    if (!value.sinkUrl)
      ctx.addIssue({ code: 'custom', path: ['sinkUrl'], message: 'is required for the webhook sink' });
    if (!value.sinkSecretEnv)
      ctx.addIssue({
        code: 'custom',
        path: ['sinkSecretEnv'],
        message: 'is required for the webhook sink: the variable holding its whsec_ signing secret',
      });
    checkSecretPin(ctx, value.sinkSecretEnv, value.sinkUrl, ['sinkUrl']);
  } else {
    if (value.sinkUrl) ctx.addIssue({ code: 'custom', path: ['sinkUrl'], message: 'is only for the webhook sink' });
    if (value.sinkSecretEnv)
      ctx.addIssue({ code: 'custom', path: ['sinkSecretEnv'], message: 'is only for the webhook sink' });
  }
}

/** The one schema of a sync: the API's create body, and the merged result of every update. */
export const syncSchema = z
  .looseObject(syncFields)
  .superRefine(refuseUnknownFields)
  .superRefine(checkSink)
  .transform(({ cursorParam, ...sync }) => ({
    ...sync,
    cursorParam: cursorParam ?? sync.mode,
    sinkUrl: sync.sinkUrl ?? null,
    sinkSecretEnv: sync.sinkSecretEnv ?? null,
    checkpoint: sync.checkpoint ?? null,
  }));
export type SyncInput = z.input<typeof syncSchema>;
export type SyncConfig = z.output<typeof syncSchema>;

/** The fields of a sync as one object schema: what a PATCH names and merges onto. */
export const syncObject = z.object(syncFields);

/** A PATCH body: any subset of the fields, no defaults filled in; the merged sync is validated as a whole. */
export const syncPatchSchema = patchOf(syncObject);
