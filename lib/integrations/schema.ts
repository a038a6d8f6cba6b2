import { z } from 'zod';
import { BODY_CAPTURE_MODES, ENVIRONMENTS, patchOf } from '@/lib/model';
import { policySchema } from '@/lib/resilience';
import { checkSecretPin, secretNameSchema } from '@/lib/secrets';
import { refuseOutboundUrl } from './outbound';

export const AUTH_SCHEMES = ['none', 'bearer', 'header', 'basic'] as const;

const baseUrl = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an absolute http(s) URL' });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      ctx.addIssue({ code: 'custom', message: 'must use http or https' });
    if (url.username || url.password)
      ctx.addIssue({
        code: 'custom',
        message: 'must not contain credentials: name an environment variable in secretEnv instead',
      });
    if (url.search || url.hash) ctx.addIssue({ code: 'custom', message: 'must not contain a query or fragment' });
    refuseOutboundUrl(value, ctx);
  });

export { ENVIRONMENTS };

/** Where calls go and how they authenticate: an integration's production target, and its sandbox one. */
const targetFields = {
  baseUrl,
  authScheme: z.enum(AUTH_SCHEMES).default('none'),
  authHeader: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9-]{1,64}$/, 'must be an HTTP header name')
    .nullish(),
  secretEnv: secretNameSchema.nullish(),
  /** Rotation: tried once when the primary gets a 401 (same validation, pins and role as secretEnv). */
  secondarySecretEnv: secretNameSchema.nullish(),
};
type TargetConfig = z.output<z.ZodObject<typeof targetFields>>;

function checkAuth(value: TargetConfig, ctx: z.RefinementCtx, at: PropertyKey[] = []): void {
  if (value.authScheme !== 'none' && !value.secretEnv) {
    ctx.addIssue({
      code: 'custom',
      path: [...at, 'secretEnv'],
      message: `is required for auth scheme "${value.authScheme}"`,
    });
  }
  if (value.authScheme === 'header' && !value.authHeader) {
    ctx.addIssue({ code: 'custom', path: [...at, 'authHeader'], message: 'is required for auth scheme "header"' });
  }
  if (value.secondarySecretEnv && value.authScheme === 'none') {
    ctx.addIssue({ code: 'custom', path: [...at, 'secondarySecretEnv'], message: 'needs an auth scheme' });
  }
  if (value.secondarySecretEnv && value.secondarySecretEnv === value.secretEnv) {
    ctx.addIssue({ code: 'custom', path: [...at, 'secondarySecretEnv'], message: 'must differ from secretEnv' });
  }
  checkSecretPin(ctx, value.secretEnv, value.baseUrl, [...at, 'baseUrl']);
  checkSecretPin(ctx, value.secondarySecretEnv, value.baseUrl, [...at, 'baseUrl']);
}

/** A sandbox target (stored as JSON beside the production fields). */
export const targetSchema = z.object(targetFields).superRefine((value, ctx) => checkAuth(value, ctx));
export type IntegrationTarget = z.output<typeof targetSchema>;

export const integrationFields = z.object({
  name: z.string().trim().min(1, 'is required').max(100),
  slug: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, starting with a letter or digit'),
  ...targetFields,
  sandbox: targetSchema.nullish(),
  policy: policySchema.default(policySchema.parse({})),
  bodyCapture: z.enum(BODY_CAPTURE_MODES).default('redacted'),
});

/** The one schema for an integration, used by the API, the settings form and the seeds; it gives the defaults. */
export const integrationSchema = integrationFields.superRefine(checkAuth);
export type IntegrationInput = z.input<typeof integrationSchema>;
export type IntegrationConfig = z.output<typeof integrationSchema>;

/** A PATCH body: any subset of the fields, none defaulted; the merged result is validated with integrationSchema. */
export const integrationPatchSchema = patchOf(integrationFields);
