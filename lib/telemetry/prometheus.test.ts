import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import type { CallSummary } from '@/lib/resilience';
import { MetricsRegistry } from './metrics';
import { redactedUrl } from './otel';
import { renderPrometheus } from './prometheus';

function summary(over: Partial<CallSummary> = {}): CallSummary {
  return {
    integration: 'pay"ments',
    requestId: 'r1',
    method: 'GET',
    route: '/cards/:id',
    path: '/cards/1',
    startedAt: Date.now(),
    durationMs: 30,
    outcome: 'success',
    status: 200,
    attempts: [
      { number: 1, startedAt: Date.now(), durationMs: 30, status: 200, delayBeforeMs: 0, spanId: 'b7ad6b7169203331' },
    ],
    retries: 0,
    cache: 'miss',
    rateLimitWaitMs: 0,
    rateLimited: false,
    trace: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: '01' },
    requestHeaders: {},
    ...over,
  };
}

function promtool(text: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

test('the exposition passes promtool and counts attempts per status class in semconv buckets', () => {
  const registry = new MetricsRegistry();
  const m = registry.forIntegration('pay"ments');
  m.recordCall(summary());
  m.recordCall(
    summary({
      outcome: 'success',
      retries: 1,
      attempts: [
        { number: 1, startedAt: 0, durationMs: 7, status: 503, delayBeforeMs: 0, spanId: 'b7ad6b7169203331' },
        {
          number: 2,
          startedAt: 0,
          durationMs: 2000,
          status: 201,
          delayBeforeMs: 100,
          delayReason: 'backoff',
          spanId: 'b7ad6b7169203332',
        },
      ],
    }),
  );
  m.recordCall(summary({ outcome: 'circuit_open', attempts: [], status: undefined, cache: 'hit' }));
  m.recordCall(summary({ outcome: 'rate_limited', attempts: [], rateLimitWaitMs: 1500, status: undefined }));
  m.recordTransition('closed', 'open');
  const text = renderPrometheus(
    registry,
    { droppedCallLogRows: 3, droppedRollups: 0, failedFlushes: 2 },
    { refreshFailures: 4, ageSeconds: 1.25 },
  );
  const check = promtool(text);
  assert.equal(check.status, 0, `${check.output}\n${text}`);
  const line = (prefix: string) => text.split('\n').find((l) => l.startsWith(prefix));
  const labels =
    'workspace="default",integration="pay\\"ments",environment="production",route="/cards/:id",method="GET",status_class="2xx",outcome="success"';
  assert.equal(line(`http_client_request_duration_seconds_count{${labels}}`)?.split(' ')[1], '2');
  assert.equal(line(`http_client_request_duration_seconds_bucket{${labels},le="0.05"}`)?.split(' ')[1], '1');
  assert.equal(line(`http_client_request_duration_seconds_bucket{${labels},le="2.5"}`)?.split(' ')[1], '2');
  assert.match(text, /http_client_request_duration_seconds_bucket\{[^}]*status_class="5xx"[^}]*le="0\.01"\} 1/);
  assert.match(text, /resilience_retries_total\{workspace="default",integration="pay\\"ments"\} 1/);
  assert.match(text, /resilience_breaker_state\{workspace="default",integration="pay\\"ments",state="open"\} 1/);
  assert.match(
    text,
    /resilience_breaker_transitions_total\{workspace="default",integration="pay\\"ments",from="closed",to="open"\} 1/,
  );
  assert.match(text, /resilience_breaker_rejections_total\{workspace="default",integration="pay\\"ments"\} 1/);
  assert.match(text, /resilience_rate_limiter_rejections_total\{workspace="default",integration="pay\\"ments"\} 1/);
  assert.match(
    text,
    /resilience_rate_limiter_wait_seconds_total\{workspace="default",integration="pay\\"ments"\} 1\.5/,
  );
  assert.match(text, /resilience_cache_lookups_total\{workspace="default",integration="pay\\"ments",result="hit"\} 1/);
  assert.match(text, /breakwater_telemetry_dropped_total\{kind="call_log"\} 3/);
  assert.match(text, /breakwater_telemetry_failed_flushes_total 2/);
  assert.match(text, /^breakwater_config_refresh_failures_total 4$/m);
  assert.match(text, /^breakwater_config_age_seconds 1\.25$/m);
});

test('a scrape of one workspace shows its series only; the same slug in two workspaces is two series', () => {
  const registry = new MetricsRegistry();
  registry.forIntegration('crm', 'team-a').recordCall(summary());
  registry.forIntegration('crm', 'team-b').recordCall(summary());
  registry.forIntegration('crm', 'team-b').recordCall(summary());
  const drops = { droppedCallLogRows: 0, droppedRollups: 0, failedFlushes: 0 };
  const all = renderPrometheus(registry, drops);
  assert.match(all, /breakwater_calls_total\{workspace="team-a",integration="crm",[^}]*\} 1/);
  assert.match(all, /breakwater_calls_total\{workspace="team-b",integration="crm",[^}]*\} 2/);
  const onlyB = renderPrometheus(registry, drops, undefined, { workspace: 'team-b' });
  assert.equal(promtool(onlyB).status, 0);
  assert.ok(!onlyB.includes('team-a'));
  assert.match(onlyB, /breakwater_calls_total\{workspace="team-b",integration="crm",[^}]*\} 2/);
  assert.match(onlyB, /breakwater_telemetry_dropped_total/);
});

test('promtool rejects what a broken exposition would look like (the check is real)', () => {
  assert.notEqual(promtool('# TYPE x counter\nx{a="1" 1\n').status, 0);
});

test('url.full keeps no query values and no configured secret', () => {
  const target = { scheme: 'https', address: 'api.example.com', port: 443 };
  assert.equal(
    redactedUrl(target, '/v1/keys/sk_abcdef/charges?token=sk_abcdef&limit=10', { secrets: ['sk_abcdef'] }),
    'https://api.example.com:443/v1/keys/[redacted]/charges?token=REDACTED&limit=REDACTED',
  );
});

test("callers' durations apart from the upstream's attempts; probes, fallbacks and short circuits counted", () => {
  const registry = new MetricsRegistry();
  const m = registry.forIntegration('crm');
  // Two calls that reached the upstream (400 ms each), 8 short circuits and a cache hit in no time.
  m.recordCall(
    summary({ integration: 'crm', durationMs: 400, attempts: [{ ...summary().attempts[0], durationMs: 400 }] }),
  );
  m.recordCall(
    summary({
      integration: 'crm',
      durationMs: 400,
      breakerProbe: true,
      attempts: [{ ...summary().attempts[0], durationMs: 400 }],
    }),
  );
  for (let i = 0; i < 8; i++)
    m.recordCall(
      summary({ integration: 'crm', durationMs: 0, outcome: 'circuit_open', status: undefined, attempts: [] }),
    );
  m.recordCall(summary({ integration: 'crm', durationMs: 0, cache: 'hit', attempts: [] }));
  m.recordCall(summary({ integration: 'crm', durationMs: 1, outcome: 'fallback', attempts: [] }));
  const text = renderPrometheus(registry, { droppedCallLogRows: 0, droppedRollups: 0, failedFlushes: 0 });
  const value = (line: string) =>
    Number(
      text
        .split('\n')
        .find((l) => l.startsWith(line))
        ?.split(' ')
        .pop(),
    );
  assert.equal(value('breakwater_call_duration_seconds_count{workspace="default",integration="crm"}'), 12);
  assert.equal(value('breakwater_call_duration_seconds_bucket{workspace="default",integration="crm",le="0.005"}'), 10);
  assert.equal(
    value(
      'http_client_request_duration_seconds_bucket{workspace="default",integration="crm",environment="production",route="/cards/:id",method="GET",status_class="2xx",outcome="success",le="0.005"}',
    ),
    0,
    'the upstream histogram holds only the two 400 ms attempts',
  );
  assert.equal(value('resilience_breaker_rejections_total{workspace="default",integration="crm"}'), 8);
  assert.equal(value('resilience_breaker_probes_total{workspace="default",integration="crm"}'), 1);
  assert.equal(value('resilience_fallbacks_total{workspace="default",integration="crm"}'), 1);
  assert.equal(promtool(text).status, 0);
});

test('the limit an upstream announces is kept per minute and exported beside its remaining quota', () => {
  const registry = new MetricsRegistry();
  const m = registry.forIntegration('mail');
  m.recordCall(summary({ responseHeaders: { 'x-ratelimit-limit': '120', 'x-ratelimit-remaining': '80' } }));
  assert.equal(m.upstreamLimitPerMinute, 120);
  // The draft's policy names its window: 10 per 10 s is 60 a minute, and it wins over the bare header.
  m.recordCall(summary({ responseHeaders: { 'x-ratelimit-limit': '120', 'ratelimit-policy': '10;w=10' } }));
  assert.equal(m.upstreamLimitPerMinute, 60);
  // An answer without the headers (a cache hit, a short circuit) leaves the last announcement standing.
  m.recordCall(summary({ outcome: 'circuit_open', attempts: [], status: undefined }));
  const text = renderPrometheus(registry, { droppedCallLogRows: 0, droppedRollups: 0, failedFlushes: 0 });
  assert.match(text, /^resilience_upstream_quota_limit_per_minute\{workspace="default",integration="mail"\} 60$/m);
  assert.equal(promtool(text).status, 0);
});
