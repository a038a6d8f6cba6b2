import type { z } from 'zod';
import type { FieldGroup, FieldSpec } from '@/components/features/integrations/IntegrationForm';
import { integrationSchema } from '@/lib/integrations';

// The settings form is derived from the API's own zod schema, on the server, so the form can never offer a
// field the API does not accept or miss one it does; only the descriptors travel to the browser.

interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  entries?: Record<string, string>;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Strips default/prefault/optional/nullable wrappers, noting whether null is allowed. */
function unwrap(schema: z.ZodType): { inner: z.ZodType; nullable: boolean } {
  let inner = schema;
  let nullable = false;
  for (;;) {
    const def = defOf(inner);
    if (def.type === 'nullable') nullable = true;
    if (!['default', 'prefault', 'optional', 'nullable'].includes(def.type)) return { inner, nullable };
    inner = def.innerType!;
  }
}

const LABELS: Record<string, string> = {
  baseUrl: 'Base URL',
  secretEnv: 'Secret environment variable',
  trackingHeaders: 'Upstream tracking-id headers',
};

const HINTS: Record<string, string> = {
  slug: 'Used in gateway paths: /api/gw/<slug>/…',
  secretEnv:
    'The name of a server environment variable that holds the key: one the operator exposed (BREAKWATER_SECRET_* or listed in BREAKWATER_SECRET_NAMES). The key itself is never stored.',
  bodyCapture:
    'What the call log keeps: none (status and timings), headers (redacted), or redacted bodies too (credentials and card fields removed).',
  'policy.breaker.dryRun': 'Record transitions but never reject a call.',
  'policy.breaker.window': 'JSON: {"kind":"count","size":100} or {"kind":"time","ms":60000}',
  'policy.fallback.headers': 'JSON object of header names to values',
  'policy.rateLimit.maxWaitMs': '0 rejects at once when no token is left.',
  'policy.cache.staleIfErrorMs': '0 disables serving stale entries when the upstream fails.',
};

function labelOf(key: string): string {
  if (LABELS[key]) return LABELS[key];
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  const text = words.replace(/ ms$/, ' (ms)').replace(/^ms$/, 'duration (ms)');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function fieldOf(path: string, key: string, schema: z.ZodType): FieldSpec {
  const { inner, nullable } = unwrap(schema);
  const def = defOf(inner);
  const base = { path, label: labelOf(key), nullable, hint: HINTS[path] };
  switch (def.type) {
    case 'number': {
      const n = inner as unknown as { minValue: number | null; maxValue: number | null; isInt: boolean };
      return { ...base, kind: 'number', min: n.minValue ?? undefined, max: n.maxValue ?? undefined, integer: n.isInt };
    }
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'enum':
      return { ...base, kind: 'enum', options: Object.values(def.entries!) };
    case 'string':
      return { ...base, kind: 'text' };
    case 'array':
      return {
        ...base,
        kind: 'list',
        itemKind: defOf(unwrap(def.element!).inner).type === 'number' ? 'number' : 'text',
      };
    default:
      // Unions (the breaker window) and records (fallback headers) are edited as JSON.
      return { ...base, kind: 'json' };
  }
}

/** Fields of an object, nested objects flattened into dotted paths under the same group. */
function fieldsOf(prefix: string, shape: Record<string, z.ZodType>, labelPrefix = ''): FieldSpec[] {
  return Object.entries(shape).flatMap(([key, schema]) => {
    const { inner } = unwrap(schema);
    const def = defOf(inner);
    if (def.type === 'object') return fieldsOf(`${prefix}${key}.`, def.shape!, `${labelPrefix}${labelOf(key)}: `);
    const field = fieldOf(`${prefix}${key}`, key, schema);
    return [{ ...field, label: `${labelPrefix}${field.label}` }];
  });
}

export function integrationFormGroups(): FieldGroup[] {
  const { policy, ...general } = integrationSchema.shape;
  const policyShape = defOf(unwrap(policy).inner).shape!;
  const groups: FieldGroup[] = [{ key: 'general', title: 'Integration', fields: fieldsOf('', general) }];
  const loose: FieldSpec[] = [];
  for (const [key, schema] of Object.entries(policyShape)) {
    const def = defOf(unwrap(schema).inner);
    if (def.type === 'object')
      groups.push({ key, title: labelOf(key), fields: fieldsOf(`policy.${key}.`, def.shape!) });
    else loose.push(fieldOf(`policy.${key}`, key, schema));
  }
  if (loose.length) groups.push({ key: 'other', title: 'Other', fields: loose });
  return groups;
}
