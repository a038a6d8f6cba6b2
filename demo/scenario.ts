import { request } from 'undici';
import type { FaultSpecInput } from './faults.ts';

export interface DemoRoute {
  method: 'GET' | 'POST';
  /** Path below the integration's base URL; `:name` segments are filled with ids by the traffic generator. */
  path: string;
  /** Relative share of the demo traffic. */
  weight: number;
}

export interface DemoIntegration {
  slug: string;
  name: string;
  /** Prefix on the demo upstream that keeps this integration's routes apart: its base URL is `${upstream}${basePath}`. */
  basePath: string;
  routes: DemoRoute[];
  /** How this integration's upstream misbehaves, as `PUT /__control/faults` bodies (routes include basePath). */
  faults: FaultSpecInput[];
  /** What the provider charges (lib/usage's price rules: amounts per attempt as decimal text), so the Usage page has figures */
  price?: {
    currency: string;
    perCall: string;
    includedMonthly?: number;
    routes?: { route: string; perCall: string }[];
  };
}

/**
 * Five integrations modelled on familiar providers. At the default 20 requests/s the route weights give
 * e-mail about 4 requests/s, so its 100-per-30-s quota runs out near the end of each window.
 */
export const demoIntegrations: DemoIntegration[] = [
  {
    slug: 'payments',
    price: { currency: 'USD', perCall: '0.002', routes: [{ route: '/v1/charges', perCall: '0.01' }] },
    name: 'Payments (Stripe-like)',
    basePath: '/payments',
    routes: [
      { method: 'POST', path: '/v1/charges', weight: 3 },
      { method: 'GET', path: '/v1/charges/:id', weight: 5 },
      { method: 'POST', path: '/v1/refunds', weight: 1 },
    ],
    faults: [
      {
        route: '/payments/*',
        mode: 'fail',
        failRate: 0.01,
        failStatus: 500,
        latencyMs: { kind: 'lognormal', median: 120, p99: 900 },
      },
    ],
  },
  {
    slug: 'email',
    price: { currency: 'USD', perCall: '0.0008', includedMonthly: 100_000 },
    name: 'E-mail (SendGrid-like)',
    basePath: '/email',
    routes: [
      { method: 'POST', path: '/v3/mail/send', weight: 4 },
      { method: 'GET', path: '/v3/stats', weight: 1 },
    ],
    faults: [
      {
        route: '/email/*',
        mode: 'fail',
        failRate: 0.005,
        latencyMs: { kind: 'uniform', min: 40, max: 200 },
        rateLimit: { limit: 100, windowSec: 30 },
      },
    ],
  },
  {
    slug: 'identity',
    price: { currency: 'EUR', perCall: '0.05' },
    name: 'Identity checks (Onfido-like)',
    basePath: '/identity',
    routes: [
      { method: 'POST', path: '/v2/checks', weight: 1 },
      { method: 'GET', path: '/v2/checks/:id', weight: 2 },
    ],
    faults: [
      {
        route: '/identity/*',
        mode: 'fail',
        failRate: 0.02,
        failStatus: 502,
        latencyMs: { kind: 'lognormal', median: 350, p99: 2500 },
      },
    ],
  },
  {
    slug: 'crm',
    price: { currency: 'USD', perCall: '0.001', includedMonthly: 250_000 },
    name: 'CRM (HubSpot-like), flaky',
    basePath: '/crm',
    routes: [
      { method: 'GET', path: '/api/contacts', weight: 2 },
      { method: 'GET', path: '/api/contacts/:id', weight: 1 },
      { method: 'POST', path: '/api/contacts', weight: 1 },
    ],
    faults: [
      {
        route: '/crm/*',
        mode: 'fail',
        failRate: 0.05,
        failStatus: 503,
        latencyMs: { kind: 'uniform', min: 30, max: 150 },
      },
    ],
  },
  {
    slug: 'geo',
    name: 'Geocoding',
    basePath: '/geo',
    routes: [
      { method: 'GET', path: '/v1/geocode/:place', weight: 3 },
      { method: 'GET', path: '/v1/timezone/:place', weight: 1 },
    ],
    faults: [
      {
        route: '/geo/*',
        mode: 'fail',
        failRate: 0.005,
        latencyMs: { kind: 'lognormal', median: 25, p99: 180 },
      },
    ],
  },
];

/** Replaces the demo upstream's faults with the scenario's. */
export async function applyScenarioFaults(
  upstreamUrl: string,
  integrations: DemoIntegration[] = demoIntegrations,
): Promise<void> {
  const clear = await request(`${upstreamUrl}/__control/faults`, { method: 'DELETE' });
  await clear.body.dump();
  for (const fault of integrations.flatMap((integration) => integration.faults)) {
    const response = await request(`${upstreamUrl}/__control/faults`, { method: 'PUT', body: JSON.stringify(fault) });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new Error(`demo upstream rejected fault for ${fault.route}: ${text}`);
  }
}
