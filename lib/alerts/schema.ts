import { z } from 'zod';
import { refuseOutboundUrl } from '@/lib/integrations';
import { instantSchema } from '@/lib/model';
import { checkSecretPin, secretNameSchema } from '@/lib/secrets';
import { parseDuration } from './duration';
import { isQueueMetric, isUsageMetric, METRIC_NAMES, METRICS, type MetricKind } from './metrics';

// One schema per alert object. They validate what the API, the form and the seeds send, and are the only
// place defaults are written down.

const duration = z
  .string()
  .trim()
  .refine((text) => parseDuration(text) !== null, 'must be a duration such as 30s, 5m or 4h (zero or more)');

const slug = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be an integration slug');
const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names are letters, digits and _');

export const COMPARATORS = ['>', '>=', '<', '<='] as const;
export const SEVERITIES = ['critical', 'warning', 'info'] as const;
/** What an instance does when its window holds no data, as Grafana's "no data" handling. */
export const NO_DATA = ['ok', 'alerting', 'keep_last'] as const;

const THRESHOLD_RULES: Record<MetricKind, { check: (n: number) => boolean; message: string }> = {
  percent: { check: (n) => n >= 0 && n <= 100, message: 'is a percentage: between 0 and 100' },
  ms: { check: (n) => n >= 0, message: 'is a latency in milliseconds: zero or more' },
  perSecond: { check: (n) => n >= 0, message: 'is requests per second: zero or more' },
  count: { check: (n) => Number.isInteger(n) && n >= 0, message: 'is a count: a whole number, zero or more' },
  ratio: { check: (n) => n >= 0, message: 'is retries per call: zero or more' },
  state: { check: (n) => n === 0 || n === 1, message: 'is a breaker state: 0 (closed) or 1 (open)' },
  seconds: { check: (n) => n >= 0, message: 'is an age in seconds: zero or more' },
  money: { check: (n) => n >= 0, message: 'is an amount in the price’s currency: zero or more' },
  quota: { check: (n) => n >= 0, message: 'is a share of the included quota (1 = used up): zero or more' },
};

/** Rollups are minute buckets: a shorter window would read a partial minute and nothing else. */
const MIN_WINDOW_MS = 60_000;

export const ruleSchema = z
  .object({
    name: z.string().trim().min(1, 'is required').max(100),
    enabled: z.boolean().default(true),
    /** integration slugs; empty means every integration, present and future */
    integrations: z.array(slug).max(100).default([]),
    /** one route template (as the explorer shows it); null means all routes */
    route: z.string().trim().startsWith('/', 'must start with /').max(300).nullish(),
    metric: z.enum(METRIC_NAMES, `must be one of ${METRIC_NAMES.join(', ')}`),
    comparator: z.enum(COMPARATORS).default('>'),
    threshold: z.number().finite(),
    window: duration.default('5m'),
    for: duration.default('1m'),
    keepFiringFor: duration.default('0s'),
    severity: z.enum(SEVERITIES).default('warning'),
    labels: z.record(labelName, z.string().max(200)).default({}),
    annotations: z
      .record(labelName, z.string().max(2000))
      .default({ summary: '{{integration}}: value {{value}} crossed {{threshold}}' }),
    noData: z.enum(NO_DATA).default('ok'),
    /** how often a still-firing group is sent again (Alertmanager's repeat_interval) */
    repeatInterval: duration.default('4h'),
  })
  .superRefine((rule, ctx) => {
    const kind = METRICS[rule.metric].kind;
    const threshold = THRESHOLD_RULES[kind];
    if (!threshold.check(rule.threshold))
      ctx.addIssue({ code: 'custom', path: ['threshold'], message: `${rule.metric} ${threshold.message}` });
    const window = parseDuration(rule.window);
    if (window !== null && window < MIN_WINDOW_MS)
      ctx.addIssue({ code: 'custom', path: ['window'], message: 'must be at least 1m (metrics are per minute)' });
    if (rule.metric === 'breaker_open' && rule.route)
      ctx.addIssue({ code: 'custom', path: ['route'], message: 'breakers are per integration, not per route' });
    if (isQueueMetric(rule.metric) && rule.route)
      ctx.addIssue({ code: 'custom', path: ['route'], message: 'job queues are per integration, not per route' });
    if (isUsageMetric(rule.metric) && rule.route)
      ctx.addIssue({ code: 'custom', path: ['route'], message: 'budgets are per integration, not per route' });
    const repeat = parseDuration(rule.repeatInterval);
    if (repeat !== null && repeat < MIN_WINDOW_MS)
      ctx.addIssue({ code: 'custom', path: ['repeatInterval'], message: 'must be at least 1m' });
  });

export type RuleInput = z.input<typeof ruleSchema>;
export type RuleConfig = z.output<typeof ruleSchema>;

export const CHANNEL_KINDS = ['webhook', 'slack'] as const;

export const channelSchema = z
  .object({
    name: z.string().trim().min(1, 'is required').max(100),
    kind: z.enum(CHANNEL_KINDS),
    /** webhook only: where to POST; a Slack URL is itself a secret, so it is read from secretEnv */
    url: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
      .superRefine(refuseOutboundUrl)
      .nullish(),
    /** webhook: the variable holding the whsec_ signing secret; slack: the variable holding the URL */
    secretEnv: secretNameSchema,
    enabled: z.boolean().default(true),
  })
  .superRefine((channel, ctx) => {
    checkSecretPin(ctx, channel.secretEnv, channel.url, ['url']);
    if (channel.kind === 'webhook' && !channel.url)
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'is required for a webhook' });
    if (channel.kind === 'slack' && channel.url)
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: 'a Slack URL carries its token: put it in the variable named by secretEnv instead',
      });
  });
export type ChannelConfig = z.output<typeof channelSchema>;

const WEEK_MS = 7 * 86_400_000;

export const silenceSchema = z
  .object({
    comment: z.string().trim().min(1, 'is required').max(500),
    ruleId: z.string().trim().min(1).nullish(),
    integration: slug.nullish(),
    matchers: z
      .array(z.object({ name: labelName, value: z.string().max(200) }))
      .max(20)
      .default([]),
    startsAt: instantSchema,
    endsAt: instantSchema,
    /** weekly repeats [startsAt, endsAt) every seven days: a maintenance window */
    recurrence: z.enum(['none', 'weekly']).default('none'),
  })
  .superRefine((silence, ctx) => {
    if (!silence.ruleId && !silence.integration && silence.matchers.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['matchers'],
        message: 'name a rule, an integration or at least one label matcher',
      });
    const length = silence.endsAt.getTime() - silence.startsAt.getTime();
    if (!(length > 0)) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' });
    else if (silence.recurrence === 'weekly' && length >= WEEK_MS)
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'a weekly window must be shorter than a week' });
  });
export type SilenceConfig = z.output<typeof silenceSchema>;
