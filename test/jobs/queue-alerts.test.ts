import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually, JobsHarness } from './support';

// The queue as alerts and charts see it, on the production server: the worker's sampler writes the
// series, rules on dead letters fire and resolve from the live queue, and bad input names its field.
const h = new JobsHarness({ BREAKWATER_ALERT_EVAL_INTERVAL_MS: '200', BREAKWATER_QUEUE_SAMPLE_MS: '200' });

before(() => h.start());
after(() => h.stop());

interface Instance {
  ruleId: string;
  integrationSlug: string;
  state: string;
  value: number | null;
  display: string;
}

async function instancesOf(ruleId: string): Promise<Instance[]> {
  const { body } = await h.api('/api/alerts/rules');
  return body.instances.filter((i: Instance) => i.ruleId === ruleId);
}

async function createRule(body: Record<string, unknown>): Promise<string> {
  const created = await h.api('/api/alerts/rules', {
    method: 'POST',
    body: { window: '1m', for: '0s', comparator: '>', threshold: 0, ...body },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.rule.id;
}

describe('queue metrics', () => {
  test('"dead letters > 0" fires once a job is dead-lettered and resolves once it is discarded', async () => {
    const overall = await createRule({ name: 'Any dead letter', metric: 'dead_letters' });
    const scoped = await createRule({ name: 'Demo dead letters', metric: 'dead_letters', integrations: ['demo'] });
    const age = await createRule({
      name: 'Old dead letter',
      metric: 'dead_letter_oldest_age',
      threshold: 3600,
      integrations: ['demo'],
    });
    // Quiet queue: both rules evaluated and not firing; the unscoped one watches the whole queue as one instance.
    const quiet = await eventually('the rules to be evaluated', async () => {
      const [a, b] = [await instancesOf(overall), await instancesOf(scoped)];
      return a.length && b.length ? { a, b } : undefined;
    });
    assert.deepEqual(
      quiet.a.map((i) => [i.integrationSlug, i.state, i.value]),
      [['all integrations', 'inactive', 0]],
    );
    assert.deepEqual(
      quiet.b.map((i) => [i.integrationSlug, i.state, i.value]),
      [['demo', 'inactive', 0]],
    );

    await h.setFault({ route: '/demo/refused', mode: 'fail', failStatus: 422 });
    const job = await h.api('/api/jobs', {
      method: 'POST',
      body: { integration: 'demo', method: 'POST', path: '/refused' },
    });
    assert.equal(job.status, 202);
    await eventually('the job to be dead-lettered', async () =>
      (await h.api(`/api/jobs/${job.body.id}`)).body.state === 'dead' ? true : undefined,
    );
    for (const rule of [overall, scoped]) {
      const firing = await eventually(`rule ${rule} to fire`, async () => {
        const [instance] = await instancesOf(rule);
        return instance?.state === 'firing' ? instance : undefined;
      });
      assert.equal(firing.value, 1);
      assert.equal(firing.display, '1');
    }
    // A fresh dead letter is seconds old: the age rule (over an hour) stays quiet.
    const [young] = await instancesOf(age);
    assert.equal(young.state, 'inactive');
    assert.match(young.display, /^\d+ s$/);
    const { body: firing } = await h.api('/api/alerts/firing');
    assert.ok(firing.firing.some((f: { ruleName: string }) => f.ruleName === 'Any dead letter'));

    const discarded = await h.api(`/api/dead-letters/${job.body.id}`, { method: 'DELETE' });
    assert.equal(discarded.status, 200);
    for (const rule of [overall, scoped]) {
      const resolved = await eventually(`rule ${rule} to resolve`, async () => {
        const [instance] = await instancesOf(rule);
        return instance?.state === 'resolved' ? instance : undefined;
      });
      assert.equal(resolved.value, 0);
    }
    const { body } = await h.api('/api/alerts/history');
    const transitions = body.history
      .filter((t: { ruleName: string }) => t.ruleName === 'Any dead letter')
      .map((t: { from: string; to: string; display: string }) => `${t.from}→${t.to} at ${t.display}`)
      .reverse();
    assert.deepEqual(transitions, ['inactive→firing at 1', 'firing→resolved at 0']);
  });

  test('the sampler charts depth and dead letters: whole queue and per integration, zero where it had none', async () => {
    await h.setFault({ route: '/demo/held', mode: 'fail', failStatus: 503 });
    const from = new Date(Date.now() - 60_000).toISOString();
    const held = await h.api('/api/jobs', {
      method: 'POST',
      body: { integration: 'demo', method: 'PUT', path: '/held', maxAttempts: 2 },
    });
    await eventually('the held job to die', async () =>
      (await h.api(`/api/jobs/${held.body.id}`)).body.state === 'dead' ? true : undefined,
    );
    const series = await eventually('a sample with the dead letter', async () => {
      const { body } = await h.api(`/api/jobs/stats/series?from=${from}&integration=demo`);
      return body.points.some((p: { deadLetters: number | null }) => (p.deadLetters ?? 0) >= 1) ? body : undefined;
    });
    assert.equal(series.stepSeconds, 15, 'a range under 75 min is charted at the sample-ish step of 15 s');
    assert.ok(series.points.some((p: { depth: number | null }) => p.depth !== null));
    const stats = (await h.api('/api/jobs/stats?integration=demo')).body;
    assert.ok(stats.deadLetters >= 1);
    assert.equal(typeof stats.oldestDeadLetterAgeSeconds, 'number');

    // An integration that never had a job: its sampled moments read as zero, not as gaps.
    const other = await h.api('/api/integrations', {
      method: 'POST',
      body: { name: 'Quiet', slug: 'quiet', baseUrl: `${h.upstream.url}/quiet` },
    });
    assert.equal(other.status, 201);
    // Both series over one closed range, read once the sampler (every 200 ms) has written past its end,
    // so a sample landing between the two reads cannot make them differ.
    const to = new Date().toISOString();
    await sleep(600);
    const range = `from=${from}&to=${to}`;
    const sampledOf = async (slug: string) =>
      (await h.api(`/api/jobs/stats/series?${range}&integration=${slug}`)).body.points.filter(
        (p: { depth: number | null }) => p.depth !== null,
      );
    const sampled = await sampledOf('demo');
    const quietSampled = await sampledOf('quiet');
    assert.ok(sampled.length > 0);
    assert.equal(quietSampled.length, sampled.length);
    assert.ok(quietSampled.every((p: { depth: number; deadLetters: number }) => p.depth === 0 && p.deadLetters === 0));
    assert.deepEqual((await h.api('/api/jobs/stats?integration=quiet')).body.byState, {
      queued: 0,
      running: 0,
      done: 0,
      dead: 0,
      discarded: 0,
    });

    // The preview of a queue rule replays the sampled series.
    const preview = await h.api('/api/alerts/preview', {
      method: 'POST',
      body: { rule: { name: 'p', metric: 'dead_letters', threshold: 0, window: '1m', for: '0s' } },
    });
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    const [queue] = preview.body.previews;
    assert.equal(queue.integration, 'all integrations');
    assert.ok(queue.points.some((p: { value: number | null }) => (p.value ?? 0) >= 1));
    assert.ok(queue.firedCount >= 1);
    assert.equal(queue.spans.filter((s: { state: string }) => s.state === 'firing').length, queue.firedCount);
  });

  test('bad input gets 400 naming the field and saves nothing', async () => {
    const before = (await h.api('/api/alerts/rules')).body.rules.length;
    const valid = { name: 'Queue rule', metric: 'job_queue_depth', threshold: 100, window: '1m' };
    const cases: [unknown, string][] = [
      [{ ...valid, threshold: 1.5 }, 'threshold'],
      [{ ...valid, metric: 'dead_letters', threshold: -1 }, 'threshold'],
      [{ ...valid, metric: 'job_oldest_queued_age', threshold: -5 }, 'threshold'],
      [{ ...valid, route: '/v1/charges' }, 'route'],
    ];
    for (const [body, field] of cases) {
      const response = await h.api('/api/alerts/rules', { method: 'POST', body });
      assert.equal(response.status, 400, `${field}: ${JSON.stringify(response.body)}`);
      assert.equal(response.body.field, field);
    }
    assert.equal((await h.api('/api/alerts/rules')).body.rules.length, before);

    const seriesCases: [string, number, string | undefined][] = [
      ['/api/jobs/stats/series', 400, 'from'],
      ['/api/jobs/stats/series?from=yesterday', 400, 'from'],
      [`/api/jobs/stats/series?from=${new Date().toISOString()}&to=2020-01-01T00:00:00Z`, 400, 'to'],
      ['/api/jobs/stats/series?from=2020-01-01T00:00:00Z&to=2020-03-01T00:00:00Z', 400, 'from'],
      [`/api/jobs/stats/series?from=${new Date().toISOString()}&integration=nope`, 404, undefined],
      ['/api/jobs/stats?integration=nope', 404, undefined],
    ];
    for (const [path, status, field] of seriesCases) {
      const response = await h.api(path);
      assert.equal(response.status, status, `${path}: ${JSON.stringify(response.body)}`);
      assert.equal(response.body.field, field);
    }
  });
});
