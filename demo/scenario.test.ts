import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { request } from 'undici';
import { applyScenarioFaults, demoIntegrations } from './scenario.ts';
import { type DemoUpstream, startDemoUpstream } from './upstream.ts';

let upstream: DemoUpstream;

before(async () => {
  upstream = await startDemoUpstream();
});

after(async () => {
  await upstream.close();
});

test('integrations have unique slugs and keep their faults under their own base path', () => {
  assert.equal(new Set(demoIntegrations.map((integration) => integration.slug)).size, demoIntegrations.length);
  for (const integration of demoIntegrations) {
    assert.ok(integration.routes.length > 0, integration.slug);
    for (const fault of integration.faults) assert.equal(fault.route, `${integration.basePath}/*`);
  }
});

test('the demo upstream accepts every fault of the scenario', async () => {
  await applyScenarioFaults(upstream.url);
  const response = await request(`${upstream.url}/__control/faults`);
  const { faults } = (await response.body.json()) as { faults: { route: string }[] };
  assert.deepEqual(
    faults.map((fault) => fault.route),
    demoIntegrations.flatMap((integration) => integration.faults.map((fault) => fault.route)),
  );
});
