import { z } from 'zod';
import { refuseOutboundUrl } from '@/lib/integrations';
import { ENVIRONMENTS, instantSchema } from '@/lib/model';
import { ATTEMPT_FAILURES } from '@/lib/queries';
import { headersRecordSchema } from '@/lib/resilience';
import { checkSecretPin, secretNameSchema } from '@/lib/secrets';
import { jobConfig } from './config';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export const methodSchema = z.preprocess(
  (value) => (typeof value === 'string' ? value.toUpperCase() : value),
  z.enum(METHODS, { message: `must be one of ${METHODS.join(', ')}` }),
);
export const relativePathSchema = z
  .string()
  .min(1)
  .max(2048)
  .transform((path) => (path.startsWith('/') ? path : `/${path}`));
const headersSchema = headersRecordSchema.default({});

/** A body is a string or any JSON value (sent as JSON); either way capped in bytes. */
export const bodySchema = z
  .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown()), z.number(), z.boolean()])
  .nullish()
  .transform((body) =>
    body === undefined || body === null ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  )
  .refine((body) => body === undefined || Buffer.byteLength(body) <= jobConfig().maxBodyBytes, {
    message: `exceeds the body limit (BREAKWATER_JOB_MAX_BODY_BYTES, default 262144 bytes)`,
  });

const callShape = {
  method: methodSchema,
  path: relativePathSchema,
  headers: headersSchema,
  body: bodySchema,
};
export const callItemSchema = z.object(callShape);

export const jobInputSchema = z.object({
  integration: z.string().trim().min(1).max(100),
  ...callShape,
  priority: z.number().int().min(-100).max(100).default(0),
  maxAttempts: z.number().int().min(1).max(50).optional(),
  idempotencyKey: z.string().trim().min(1).max(255).optional(),
  completionWebhook: z
    .object({
      url: z.url({ protocol: /^https?$/ }).superRefine(refuseOutboundUrl),
      secretEnv: secretNameSchema,
    })
    .superRefine((hook, ctx) => checkSecretPin(ctx, hook.secretEnv, hook.url, ['url']))
    .optional(),
});
export type JobInput = z.output<typeof jobInputSchema>;

export const batchInputSchema = z.object({
  integration: z.string().trim().min(1).max(100),
  items: z.array(callItemSchema).min(1).max(1000),
  batchSize: z.number().int().min(1).max(1000).optional(),
  concurrency: z.number().int().min(1).max(50).default(5),
  continueOnError: z.boolean().default(true),
  deadLetterFailed: z.boolean().default(false),
});
export type BatchInput = z.output<typeof batchInputSchema>;

export const replayInputSchema = z
  .object({
    mode: z.enum(['as-recorded', 'edited']).default('as-recorded'),
    idempotency: z.enum(['reuse', 'new']).default('reuse'),
    dryRun: z.boolean().default(false),
    edit: z
      .object({
        method: methodSchema.optional(),
        path: relativePathSchema.optional(),
        query: z.union([z.string().max(2048), z.record(z.string(), z.string())]).optional(),
        headers: headersRecordSchema.optional(),
        body: bodySchema.optional(),
      })
      .optional(),
  })
  .refine((input) => input.mode !== 'edited' || input.edit, {
    message: 'is required when mode is "edited"',
    path: ['edit'],
  });
export type ReplayInput = z.output<typeof replayInputSchema>;

const filterText = z.string().trim().min(1).max(200).optional();

/** The explorer's filter (lib/queries CallFilter): what GET /api/calls lists is what a bulk replay replays. */
export const callFilterSchema = z.object({
  integration: filterText,
  outcome: filterText,
  status: z.coerce.number().int().min(100).max(599).optional(),
  method: filterText,
  route: filterText,
  from: instantSchema.optional(),
  to: instantSchema.optional(),
  minDurationMs: z.coerce.number().min(0).optional(),
  requestId: filterText,
  upstreamRequestId: filterText,
  traceId: filterText,
  replayOf: filterText,
  replays: z.enum(['only', 'exclude']).optional(),
  environment: z.enum(ENVIRONMENTS).optional(),
  attempt: z.enum(ATTEMPT_FAILURES).optional(),
});

export const bulkReplayInputSchema = z.object({
  // Strict: a filter the replay did not understand would replay more calls than the explorer lists.
  filter: callFilterSchema.strict().default({}),
  idempotency: z.enum(['reuse', 'new']).default('reuse'),
  dryRun: z.boolean().default(false),
  concurrency: z.number().int().min(1).max(20).default(5),
  limit: z.number().int().min(1).max(1000).default(1000),
});
export type BulkReplayInput = z.output<typeof bulkReplayInputSchema>;
