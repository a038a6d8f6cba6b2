import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { trace } from '@opentelemetry/api';
import { ResilientClient } from '@/lib/resilience';
import {
  attachTelemetry,
  DURATION_BOUNDARIES_S,
  getRecorder,
  otlpSignals,
  startOtel,
  telemetryState,
} from '@/lib/telemetry';
import { OtlpReceiver } from './otlp-receiver';
import { migratedDatabase, startTestUpstream, type TestUpstream } from './support';

// A real client and the real listener exporting over OTLP/HTTP to a receiver in this process, once per
// protocol. Shutting the SDK down flushes spans and metrics, so nothing here waits on a timer.
const SECRET = 'sk_live_otlp_secret_9d1e77';
const INTEGRATION_ID = 'int_otlp_payments';
let database: Awaited<ReturnType<typeof migratedDatabase>>;
let upstream: TestUpstream;

before(async () => {
  database = await migratedDatabase();
  process.env.DATABASE_URL = database.url;
  await database.db.integration.create({
    data: {
      workspaceId: 'default',
      id: INTEGRATION_ID,
      slug: 'payments',
      name: 'Payments',
      baseUrl: 'http://127.0.0.1',
    },
  });
  upstream = await startTestUpstream();
});

after(async () => {
  await getRecorder().stop();
  await upstream.close();
  await database.drop();
});

test('no OTLP endpoint: no SDK, so the call path builds no spans', () => {
  assert.deepEqual(otlpSignals({}), { traces: false, metrics: false });
  assert.equal(
    startOtel('i', telemetryState().registry, () => getRecorder().stats, {}),
    undefined,
  );
  assert.deepEqual(otlpSignals({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://x:4318/v1/traces' }), {
    traces: true,
    metrics: false,
  });
  assert.deepEqual(otlpSignals({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318', OTEL_SDK_DISABLED: 'true' }), {
    traces: false,
    metrics: false,
  });
});

for (const protocol of ['http/json', 'http/protobuf'] as const) {
  describe(`OTLP export over ${protocol}`, () => {
    const receiver = new OtlpReceiver();
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=acme',
      OTEL_SERVICE_NAME: 'breakwater-test',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
    };

    before(async () => {
      await receiver.start();
      env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
      Object.assign(process.env, env);
      const state = telemetryState();
      state.otel = startOtel(getRecorder().instance, state.registry, () => getRecorder().stats);
      assert.ok(state.otel?.spans, 'tracing started');
      const client = new ResilientClient({
        name: 'payments',
        origin: upstream.url,
        policy: { retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 2, jitter: false } },
      });
      attachTelemetry(client.events, INTEGRATION_ID, () => ({ secrets: [SECRET] }), { origin: upstream.url });
      await client.request({ method: 'GET', path: `/cards/42?api_key=${SECRET}&page=1`, route: '/cards/:id' });
      await client.request({ method: 'GET', path: `/cards/42?api_key=${SECRET}&page=1`, route: '/cards/:id' });
      await client.request({
        method: 'POST',
        path: '/flaky/charges',
        route: '/flaky/charges',
        headers: { 'idempotency-key': 'k1' },
      });
      trace.getTracer('next.js').startSpan('GET /api/gw/[integration]/[...path]').end();
      await client.close();
      await state.otel!.shutdown();
      state.otel = undefined;
      for (const name of Object.keys(env)) delete process.env[name];
    });

    after(() => receiver.close());

    test('requests use the protocol and carry OTEL_EXPORTER_OTLP_HEADERS', () => {
      const expected = protocol === 'http/json' ? 'application/json' : 'application/x-protobuf';
      const paths = new Set(receiver.requests.map((r) => r.path));
      assert.ok(paths.has('/v1/traces') && paths.has('/v1/metrics'), [...paths].join());
      for (const r of receiver.requests) {
        assert.equal(r.contentType, expected);
        assert.equal(r.headers['x-tenant'], 'acme');
      }
    });

    test('one CLIENT span per attempt with semantic-convention attributes, under one call span', () => {
      const attempts = receiver.spans.filter((s) => s.kind === 3);
      const calls = receiver.spans.filter((s) => s.kind === 1);
      // GET miss (1 attempt), GET cache hit (0 attempts), POST flaky (503 then 200)
      assert.equal(attempts.length, 3);
      assert.equal(calls.length, 3);
      for (const a of attempts) {
        assert.equal(a.scope, 'breakwater');
        assert.equal(a.attributes['server.address'], '127.0.0.1');
        assert.equal(a.attributes['server.port'], Number(new URL(upstream.url).port));
        assert.ok(
          calls.some((c) => c.spanId === a.parentSpanId && c.traceId === a.traceId),
          'parented by its call',
        );
        assert.ok(!JSON.stringify(a).includes(SECRET), 'no secret in span');
      }
      const get = attempts.find((a) => a.attributes['http.request.method'] === 'GET')!;
      assert.equal(get.attributes['url.full'], `${upstream.url}/cards/42?api_key=REDACTED&page=REDACTED`);
      assert.equal(get.attributes['http.response.status_code'], 200);
      const posts = attempts.filter((a) => a.attributes['http.request.method'] === 'POST');
      const failed = posts.find((a) => a.attributes['http.response.status_code'] === 503)!;
      assert.equal(failed.attributes['error.type'], '503');
      assert.equal(failed.attributes['http.request.resend_count'], undefined);
      const resent = posts.find((a) => a.attributes['http.response.status_code'] === 200)!;
      assert.equal(resent.attributes['http.request.resend_count'], 1);
      assert.equal(resent.attributes['error.type'], undefined);
    });

    test('call spans carry integration and route template, with retry and cache-hit events', () => {
      const calls = receiver.spans.filter((s) => s.kind === 1);
      for (const c of calls) {
        assert.equal(c.attributes['breakwater.integration'], 'payments');
        assert.equal(c.attributes['breakwater.workspace'], 'default');
        assert.ok(['/cards/:id', '/flaky/charges'].includes(String(c.attributes['url.template'])));
        assert.equal(c.resource['service.name'], 'breakwater-test');
        assert.equal(c.resource['service.instance.id'], getRecorder().instance);
        assert.equal(c.resource['deployment.environment.name'], 'test');
      }
      const retried = calls.find((c) => c.attributes['url.template'] === '/flaky/charges')!;
      assert.deepEqual(
        retried.events.map((e) => e.name),
        ['resilience.retry'],
      );
      assert.equal(retried.events[0].attributes['resilience.attempt'], 2);
      assert.ok(calls.some((c) => c.events.some((e) => e.name === 'resilience.cache.hit')));
      // the call span continues the trace the client sent upstream in traceparent
      const sent = upstream.requests.map((r) => String(r.headers.traceparent).split('-')[1]);
      for (const c of calls.filter((c) => c.attributes['breakwater.cache'] !== 'hit'))
        assert.ok(sent.includes(c.traceId), 'trace id matches the traceparent sent upstream');
    });

    test("Next.js's own spans are not exported", () => {
      assert.ok(receiver.spans.length > 0);
      assert.ok(receiver.spans.every((s) => s.scope === 'breakwater'));
    });

    test('metrics: http.client.request.duration with semconv buckets, resilience counters, drops', () => {
      const latest = (name: string) => receiver.metrics.filter((m) => m.name === name).at(-1);
      const duration = latest('http.client.request.duration');
      assert.ok(duration, receiver.metrics.map((m) => m.name).join());
      assert.equal(duration.kind, 'histogram');
      assert.equal(duration.unit, 's');
      const point = duration.points.find((p) => p.attributes['http.response.status_code'] === 503)!;
      assert.deepEqual(point.bounds, DURATION_BOUNDARIES_S);
      assert.ok(point.count! >= 1);
      assert.equal(point.attributes['http.request.method'], 'POST');
      assert.equal(point.attributes['server.address'], '127.0.0.1');
      assert.equal(point.attributes['error.type'], '503');
      const retries = latest('resilience.retries')!;
      assert.ok(retries.points.some((p) => p.attributes['breakwater.integration'] === 'payments' && p.value! >= 1));
      assert.ok(retries.points.every((p) => p.attributes['breakwater.workspace'] === 'default'));
      const cache = latest('resilience.cache.lookups')!;
      assert.ok(cache.points.some((p) => p.attributes['resilience.cache.result'] === 'hit' && p.value! >= 1));
      const quota = latest('resilience.upstream.quota.remaining')!;
      assert.equal(quota.points[0].value, 42);
      const state = latest('resilience.breaker.state')!;
      assert.ok(state.points.some((p) => p.attributes['resilience.breaker.state'] === 'closed' && p.value === 1));
      const dropped = latest('breakwater.telemetry.dropped')!;
      assert.deepEqual(dropped.points.map((p) => p.attributes['breakwater.telemetry.kind']).sort(), [
        'breaker_event',
        'call_log',
        'journal_line',
        'rollup_calls',
      ]);
    });
  });
}
