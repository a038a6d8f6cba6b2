import { z } from 'zod';
import type { FieldGroup, FieldSpec } from '@/components/features/integrations/IntegrationForm';
import { integrationSchema } from '@/lib/integrations';

// The settings form is derived from the API's own zod schema through its JSON Schema (z.toJSONSchema, the
// input side: what a client may send), on the server, so the form can never offer a field the API does not
// accept or miss one it does; only the descriptors travel to the browser.

interface JsonSchema {
  type?: string;
  anyOf?: JsonSchema[];
  enum?: string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  exclusiveMaximum?: number;
}

/** A nullable field is `anyOf: [field, {type: "null"}]`: the field, noting that null is allowed. */
function unwrap(schema: JsonSchema): { inner: JsonSchema; nullable: boolean } {
  const others = schema.anyOf?.filter((option) => option.type !== 'null');
  if (others?.length === 1 && others.length < schema.anyOf!.length) return { inner: others[0], nullable: true };
  return { inner: schema, nullable: false };
}

const LABELS: Record<string, string> = {
  baseUrl: 'Base URL',
  secretEnv: 'Secret environment variable',
  secondarySecretEnv: 'Secondary secret environment variable',
  sandbox: 'Sandbox target',
  trackingHeaders: 'Upstream tracking-id headers',
  tokenUrl: 'Token URL',
  clientId: 'Client ID',
  clientSecretEnv: 'Client secret environment variable',
  privateKeyEnv: 'Private key environment variable',
  clientAuth: 'Client authentication',
  refreshSkewSeconds: 'Refresh ahead of expiry (s)',
};

const HINTS: Record<string, string> = {
  slug: 'Used in gateway paths: /api/gw/<slug>/…',
  secretEnv:
    'The name of a server environment variable that holds the key: one the operator exposed (BREAKWATER_SECRET_* or listed in BREAKWATER_SECRET_NAMES). The key itself is never stored.',
  secondarySecretEnv:
    'Rotation: another exposed variable, tried once when the primary gets a 401 (see the integration page for which one serves).',
  sandbox:
    'JSON: {"baseUrl": "...", "authScheme": "bearer", "secretEnv": "BREAKWATER_SECRET_..."}; empty for none. Switch environments on the integration page.',
  'oauth2.tokenUrl':
    'The authorization server token endpoint (https; plain http only to a loopback or private address the operator allowed).',
  'oauth2.clientSecretEnv':
    'For client_secret_basic and client_secret_post: an exposed variable holding the client secret, never stored.',
  'oauth2.privateKeyEnv':
    'For private_key_jwt: an exposed variable holding a PEM or JWK private key of the key algorithm below.',
  'oauth2.scopes': 'Comma-separated scopes to request.',
  'oauth2.audience': 'Sent as the audience parameter (Auth0, Okta and others).',
  'oauth2.resource': 'RFC 8707 resource indicator (an absolute URI).',
  bodyCapture:
    'What the call log keeps: none (status and timings), headers (redacted), or redacted bodies too (credentials and card fields removed).',
  'policy.breaker.dryRun': 'Record transitions but never reject a call.',
  'policy.breaker.window': 'JSON: {"kind":"count","size":100} or {"kind":"time","ms":60000}',
  'policy.fallback.headers': 'JSON object of header names to values',
  'policy.rateLimit.maxWaitMs': '0 rejects at once when no token is left.',
  'policy.cache.staleIfErrorMs': '0 disables serving stale entries when the upstream fails.',
  'policy.routes.templates':
    'Comma-separated, first match wins: /users/:id/orders, /files/*. Other paths get the default (ids, hashes, e-mails and tokens with digits become :id).',
  'policy.routes.maxRoutes': 'Distinct routes kept in metrics; later new ones are counted as "other".',
};

function labelOf(key: string): string {
  if (LABELS[key]) return LABELS[key];
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  const text = words.replace(/ ms$/, ' (ms)').replace(/^ms$/, 'duration (ms)');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function fieldOf(path: string, key: string, schema: JsonSchema): FieldSpec {
  const { inner, nullable } = unwrap(schema);
  const base = { path, label: labelOf(key), nullable, hint: HINTS[path] };
  if (inner.enum) return { ...base, kind: 'enum', options: inner.enum };
  switch (inner.type) {
    case 'integer':
    case 'number':
      return {
        ...base,
        kind: 'number',
        min: inner.minimum ?? inner.exclusiveMinimum,
        max: inner.maximum ?? inner.exclusiveMaximum,
        integer: inner.type === 'integer',
      };
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'string':
      return { ...base, kind: 'text' };
    case 'array': {
      const item = inner.items && unwrap(inner.items).inner.type;
      return { ...base, kind: 'list', itemKind: item === 'number' || item === 'integer' ? 'number' : 'text' };
    }
    default:
      // Unions (the breaker window) and records (fallback headers) are edited as JSON.
      return { ...base, kind: 'json' };
  }
}

/** Fields of an object, nested objects flattened into dotted paths under the same group. */
function fieldsOf(prefix: string, properties: Record<string, JsonSchema>, labelPrefix = ''): FieldSpec[] {
  return Object.entries(properties).flatMap(([key, schema]) => {
    const { inner, nullable } = unwrap(schema);
    // An optional object (the sandbox target) is edited whole as JSON, so leaving it empty means none.
    if (inner.properties && !nullable)
      return fieldsOf(`${prefix}${key}.`, inner.properties, `${labelPrefix}${labelOf(key)}: `);
    const field = fieldOf(`${prefix}${key}`, key, schema);
    return [{ ...field, label: `${labelPrefix}${field.label}` }];
  });
}

export function integrationFormGroups(): FieldGroup[] {
  const schema = z.toJSONSchema(integrationSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const { policy, oauth2, ...general } = schema.properties!;
  const groups: FieldGroup[] = [
    { key: 'general', title: 'Integration', fields: fieldsOf('', general) },
    // Shown and sent only while the auth scheme is oauth2.
    {
      key: 'oauth2',
      title: 'OAuth2 client credentials',
      fields: fieldsOf('oauth2.', unwrap(oauth2).inner.properties!),
      when: { path: 'authScheme', value: 'oauth2' },
    },
  ];
  const loose: FieldSpec[] = [];
  for (const [key, property] of Object.entries(unwrap(policy).inner.properties!)) {
    const { inner } = unwrap(property);
    if (inner.properties)
      groups.push({ key, title: labelOf(key), fields: fieldsOf(`policy.${key}.`, inner.properties) });
    else loose.push(fieldOf(`policy.${key}`, key, property));
  }
  if (loose.length) groups.push({ key: 'other', title: 'Other', fields: loose });
  return groups;
}
