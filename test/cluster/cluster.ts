import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { createDb, type Db } from '@/lib/db';
import {
  ALERT_INTERVAL_MS,
  AlertReceiver,
  Cluster,
  closedPort,
  eventually,
  FEED_ITEMS,
  INBOUND_SECRET,
  PORTS,
  REDIS_URL,
  sleep,
} from './harness';

// `npm run test:cluster`: three instances of the production build on one PostgreSQL database and one Redis,
// behind nginx (round robin, deploy/nginx/breakwater.conf), calling the demo upstream. What the issue asks
// of a cluster is asserted as a caller sees it (answers, what reached the upstream, what the dashboard and
// the alert channel show); the measured figures go to bench/results/cluster.json.
const cluster = new Cluster();
const receiver = new AlertReceiver();
let db: Db;
const IDS = ['cluster-1', 'cluster-2', 'cluster-3'];
const RATE_PER_MINUTE = 600;
const RULE = 'Jobs dead-lettered';
const REPLAYED_CALLS = 60;
const REPLAY_CONCURRENCY = 2;
const BURST = 10;
const LOAD_SECONDS = 60;
const results = {
  instances: 3,
  globalRateLimitErrorPct: null as number | null,
  rateLimit: null as null | Record<string, number>,
  breakerPropagationMs: null as number | null,
  duplicateNotifications: null as number | null,
  evaluatorFailoverMs: null as number | null,
  duplicateIdempotentEffects: null as number | null,
  lostCalls: null as number | null,
  lostJobs: null as number | null,
  duplicateSyncItems: null as number | null,
  lostSyncItems: null as number | null,
  sigkill: null as null | Record<string, number>,
  syncSigkill: null as null | Record<string, number>,
  redisUnavailable: null as null | Record<string, number | boolean>,
};

const PASS_THROUGH = {
  retry: { maxRetries: 0 },
  cache: { enabled: false },
  breaker: { dryRun: true },
  rateLimit: { enabled: false },
};

before(async () => {
  await cluster.start();
  await receiver.start();
  db = createDb(cluster.database.url);
  await cluster.launch(IDS, PORTS.instances.slice(0, 3), REDIS_URL);
  cluster.token = (await cluster.api('/api/tokens', { method: 'POST', body: { name: 'cluster' } })).body.token;
  assert.ok(cluster.token);
  await cluster.createIntegration('limited', {
    ...PASS_THROUGH,
    rateLimit: { enabled: true, perMinute: RATE_PER_MINUTE, burst: BURST, learnFromUpstream: false },
  });
  await cluster.createIntegration('fragile', {
    ...PASS_THROUGH,
    breaker: { consecutiveFailures: 3, openMs: 120_000 },
  });
  await cluster.createIntegration('cached', { ...PASS_THROUGH, cache: { enabled: true, ttlMs: 120_000 } });
  await cluster.createIntegration('payments', PASS_THROUGH);
  await cluster.createIntegration('work', PASS_THROUGH);
  await cluster.createIntegration('jobs', PASS_THROUGH);
  await cluster.createIntegration('replays', PASS_THROUGH);
  // the demo upstream serves its event feed at /events
  await cluster.createIntegration('feed', PASS_THROUGH, cluster.upstream.url);
  const source = await cluster.api('/api/webhook-sources', {
    method: 'POST',
    body: {
      name: 'Inbound',
      slug: 'inbound',
      integration: 'jobs',
      forwardPath: '/hooks/inbound',
      scheme: 'standard',
      secretEnv: 'BREAKWATER_SECRET_CLUSTER_INBOUND',
    },
  });
  assert.equal(source.status, 201, JSON.stringify(source.body));
});

after(async () => {
  await db?.$disconnect();
  await receiver.close();
  await cluster.stop();
  const dir = join(import.meta.dirname, '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'cluster.json'),
    `${JSON.stringify({ at: new Date().toISOString(), ...results }, null, 2)}\n`,
  );
});

/** Probe calls answered, by integration and instance id (the dashboard counts them too). */
const probes = new Map<string, number>();
const probesOf = (integration: string, ids: string[]) =>
  ids.reduce((sum, id) => sum + (probes.get(`${integration}@${id}`) ?? 0), 0);

/** Every instance knows an integration created through another one (the config version poll). */
async function everywhere(integration: string): Promise<void> {
  for (const [id, { server }] of cluster.instances)
    await eventually(`${integration} on ${server.url}`, async () => {
      const response = await cluster.gateway(integration, '/__probe__', { base: server.url, method: 'HEAD' });
      if (response.status === 404) return undefined;
      probes.set(`${integration}@${id}`, (probes.get(`${integration}@${id}`) ?? 0) + 1);
      return true;
    });
}

/** Sends `perSecond` calls a second for `seconds` (not waiting for answers to send the next); resolves with them. */
async function steadyLoad(perSecond: number, seconds: number, send: (i: number) => Promise<Response>) {
  const answers: Promise<number>[] = [];
  const started = Date.now();
  for (let i = 0; i < perSecond * seconds; i++) {
    const due = started + (i * 1000) / perSecond;
    if (due > Date.now()) await sleep(due - Date.now());
    answers.push(
      send(i).then(
        async (r) => {
          await r.arrayBuffer();
          return r.status;
        },
        () => 0,
      ),
    );
  }
  const statuses = await Promise.all(answers);
  return { statuses, seconds: (Date.now() - started) / 1000 };
}

describe('three instances behind nginx, sharing PostgreSQL and Redis', () => {
  test(`a ${RATE_PER_MINUTE}/min rate limit is held by the cluster within 5% over a minute of twice that load`, async () => {
    await everywhere('limited');
    await cluster.setFault({ route: '/limited/*', mode: 'ok' });
    const { statuses, seconds } = await steadyLoad((2 * RATE_PER_MINUTE) / 60, LOAD_SECONDS, (i) =>
      cluster.gateway('limited', `/charge/${i}`),
    );
    const admitted = statuses.filter((s) => s === 200).length;
    const limited = statuses.filter((s) => s === 429).length;
    assert.equal(admitted + limited, statuses.length, 'every call answered 200 or 429');
    const upstream = Object.entries((await cluster.control('stats')).byRoute)
      .filter(([route]) => route.startsWith('/limited/charge/'))
      .reduce((sum, [, count]) => sum + (count as number), 0);
    assert.equal(upstream, admitted, 'every call admitted reached the upstream, and only those');
    // The configured rate over the load's duration, plus the bucket's burst spent at the start.
    const allowed = (RATE_PER_MINUTE * seconds) / 60 + BURST;
    const errorPct = (Math.abs(admitted - allowed) / allowed) * 100;
    results.globalRateLimitErrorPct = Math.round(errorPct * 100) / 100;
    results.rateLimit = { sent: statuses.length, admitted, limited, allowed: Math.round(allowed), seconds };
    assert.ok(errorPct <= 5, `${admitted} admitted for ${allowed.toFixed(0)} allowed: ${errorPct.toFixed(1)}% off`);
  });

  test('a breaker opened by failures seen on one instance rejects on the other two within 1 s', async () => {
    await everywhere('fragile');
    await cluster.setFault({ route: '/fragile/*', mode: 'fail', failStatus: 500 });
    const [first, ...others] = IDS.map((id) => cluster.instance(id).server.url);
    for (let i = 0; i < 3; i++) assert.equal((await cluster.gateway('fragile', '/pay', { base: first })).status, 500);
    const openedAt = Date.now();
    // The upstream is healthy again: the other instances see no failure of their own from here on, so a
    // rejection there can only come from the breaker the first one opened.
    await cluster.setFault({ route: '/fragile/*', mode: 'ok' });
    const rejected = await cluster.gateway('fragile', '/pay', { base: first });
    assert.equal(rejected.status, 503, 'the first instance rejects once its breaker is open');
    assert.match((await rejected.json()).error, /^Circuit is/);
    const propagation = await Promise.all(
      others.map((base) =>
        eventually(
          `the breaker to reject on ${base}`,
          async () => {
            const response = await cluster.gateway('fragile', '/pay', { base });
            await response.arrayBuffer();
            return response.status === 503 ? Date.now() - openedAt : undefined;
          },
          10_000,
        ),
      ),
    );
    results.breakerPropagationMs = Math.max(...propagation);
    assert.ok(results.breakerPropagationMs <= 1000, `rejected after ${propagation.join(' and ')} ms`);
  });

  test('a GET cached by one instance is a hit on the others: the upstream sees it once', async () => {
    await everywhere('cached');
    const [a, b, c] = IDS.map((id) => cluster.instance(id).server.url);
    const first = await cluster.gateway('cached', '/rates/eur', { base: a });
    assert.equal(first.status, 200);
    const body = await first.text();
    for (const base of [b, c]) {
      const again = await cluster.gateway('cached', '/rates/eur', { base });
      assert.equal(again.status, 200);
      assert.equal(await again.text(), body, 'the same answer, from the shared cache');
    }
    assert.equal(await cluster.upstreamCount('/cached/rates/eur'), 1);
  });

  test('a POST repeated with the same Idempotency-Key through different instances reaches the upstream once', async () => {
    await everywhere('payments');
    const key = `idem-${randomUUID()}`;
    const answers = [];
    for (const id of IDS) {
      const response = await cluster.gateway('payments', '/charges', {
        base: cluster.instance(id).server.url,
        method: 'POST',
        body: JSON.stringify({ amount: 1200 }),
        headers: { 'idempotency-key': key },
      });
      answers.push({
        status: response.status,
        replayed: response.headers.get('idempotent-replayed'),
        body: await response.text(),
      });
    }
    assert.deepEqual(
      answers.map((a) => [a.status, a.replayed]),
      [
        [200, null],
        [200, 'true'],
        [200, 'true'],
      ],
    );
    assert.equal(answers[1].body, answers[0].body, 'the first answer is given back');
    const effects = (await cluster.control('effects')).byKey[key];
    results.duplicateIdempotentEffects = effects - 1;
    assert.equal(effects, 1);
  });

  test('SIGKILL mid-load (no call, job, webhook or replay item lost), then of the alert evaluator (a new one within one interval, one notification per transition)', async () => {
    await everywhere('work');
    await everywhere('jobs');
    const channel = await cluster.api('/api/alerts/channels', {
      method: 'POST',
      body: { name: 'ops', kind: 'webhook', url: receiver.url, secretEnv: 'BREAKWATER_SECRET_CLUSTER_HOOK' },
    });
    assert.equal(channel.status, 201, JSON.stringify(channel.body));
    const rule = await cluster.api('/api/alerts/rules', {
      method: 'POST',
      body: {
        name: RULE,
        metric: 'dead_letters',
        comparator: '>',
        threshold: 0,
        window: '1m',
        for: '0s',
        integrations: ['jobs'],
      },
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    // A job the upstream refuses for good: dead-lettered, so the rule fires.
    await cluster.setFault({ route: '/jobs/refused', mode: 'fail', failStatus: 422 });
    const refused = await cluster.api('/api/jobs', {
      method: 'POST',
      body: { integration: 'jobs', method: 'POST', path: '/refused' },
    });
    assert.equal(refused.status, 202, JSON.stringify(refused.body));
    await eventually('the firing notification', () => (receiver.count(RULE, 'firing') > 0 ? true : undefined));

    // A bulk replay of failed calls, slowly enough to be part-way when the instance running it is killed.
    await everywhere('replays');
    await cluster.setFault({ route: '/replays/resume/*', mode: 'fail', failStatus: 500 });
    for (let i = 0; i < REPLAYED_CALLS; i++) {
      const failed = await cluster.gateway('replays', `/resume/${i}`, { method: 'POST', body: '{}' });
      await failed.arrayBuffer();
      assert.equal(failed.status, 500);
    }
    const filter = { integration: 'replays', route: '/resume', outcome: 'server_error' };
    await eventually('the failed calls in the call log', async () => {
      const { body } = await cluster.api('/api/replay/bulk', { method: 'POST', body: { filter, dryRun: true } });
      return body.count === REPLAYED_CALLS ? true : undefined;
    });
    await cluster.setFault({
      route: '/replays/resume/*',
      mode: 'ok',
      latencyMs: { kind: 'uniform', min: 300, max: 500 },
    });
    const replay = await cluster.api('/api/replay/bulk', {
      method: 'POST',
      body: { filter, idempotency: 'new', concurrency: REPLAY_CONCURRENCY },
    });
    assert.equal(replay.status, 202, JSON.stringify(replay.body));
    const runId = replay.body.run.id;

    // Load through nginx: gateway calls, and durable jobs whose upstream is slow enough to be mid-call.
    await cluster.setFault({ route: '/jobs/load/*', mode: 'ok', latencyMs: { kind: 'uniform', min: 100, max: 300 } });
    let loading = true;
    const answers: { requestId: string; status: number; at: number }[] = [];
    const jobIds: string[] = [];
    const callLoop = async () => {
      while (loading) {
        const requestId = randomUUID();
        const response = await cluster
          .gateway('work', `/orders/${answers.length}`, {
            method: 'POST',
            body: '{}',
            headers: { 'x-request-id': requestId },
          })
          .catch(() => undefined);
        if (!response) continue;
        await response.arrayBuffer();
        // Answered by Breakwater (its request id echoed), not an nginx error page for an instance that died.
        if (response.headers.get('x-request-id') === requestId)
          answers.push({ requestId, status: response.status, at: Date.now() });
      }
    };
    const jobLoop = async () => {
      while (loading) {
        const created = await cluster
          .api('/api/jobs', {
            method: 'POST',
            body: { integration: 'jobs', method: 'POST', path: `/load/${jobIds.length}` },
          })
          .catch(() => undefined);
        if (created?.status === 202) jobIds.push(created.body.id);
      }
    };
    // Inbound webhooks: each delivery acknowledged (200) is stored with a forward job to the `jobs` integration.
    const signer = new Webhook(INBOUND_SECRET);
    const deliveries: string[] = [];
    const webhookLoop = async () => {
      while (loading) {
        const id = `msg_${randomUUID()}`;
        const body = JSON.stringify({ type: 'order.paid', id });
        const at = new Date();
        const response = await fetch(`${cluster.nginx.url}/api/webhooks/inbound`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
            'webhook-signature': signer.sign(id, at, body),
          },
          body,
        }).catch(() => undefined);
        if (response?.status === 200) deliveries.push((await response.json()).id);
        else await response?.arrayBuffer();
      }
    };
    const loops = [
      ...Array.from({ length: 6 }, callLoop),
      ...Array.from({ length: 2 }, jobLoop),
      ...Array.from({ length: 2 }, webhookLoop),
    ];
    await eventually('load on every instance', async () =>
      answers.length > 300 && jobIds.length > 30 && deliveries.length > 30 ? true : undefined,
    );

    // The instance running the replay: the one whose rollups hold the replays' successful calls.
    const victim = await eventually('the instance running the replay', async () => {
      const rows = await db.metricRollup.groupBy({
        by: ['instance'],
        where: {
          bucketSeconds: 60,
          outcomeClass: 'success',
          integration: { slug: 'replays' },
          NOT: { route: { contains: '__probe__' } },
        },
      });
      return rows.length === 1 ? rows[0].instance : undefined;
    });
    assert.ok(cluster.instances.has(victim), `the replay runs on ${victim}, one of the instances`);
    const before = await db.replayRun.findUniqueOrThrow({ where: { id: runId } });
    assert.equal(before.state, 'running', 'the replay is part-way when its instance dies');
    const killedPort = cluster.instance(victim).port;
    const killedAt = Date.now();
    await cluster.stopInstance(victim, 'SIGKILL');
    await sleep(2000);
    loading = false;
    await Promise.all(loops);

    // The instances page marks the killed one once it missed three heartbeats.
    const listed = await eventually('the killed instance marked stopped', async () => {
      const { body } = await cluster.api('/api/instances');
      const killed = body.instances.find((i: { id: string }) => i.id === victim);
      return killed?.stale ? body.instances : undefined;
    });
    assert.deepEqual(
      listed
        .filter((i: { stale: boolean }) => !i.stale)
        .map((i: { id: string }) => i.id)
        .sort(),
      IDS.filter((id) => id !== victim),
    );

    // Jobs: every acknowledged one done by the survivors; a job sent twice only after its lease expired with
    // the killed instance, and then under its own idempotency key.
    const events = await db.webhookEvent.findMany({ where: { id: { in: deliveries } } });
    assert.equal(events.length, deliveries.length, 'every acknowledged webhook delivery stored');
    const forwardIds = events.map((event) => event.jobId!);
    assert.ok(forwardIds.every(Boolean), 'every stored delivery has its forward job');
    const acknowledged = [...jobIds, ...forwardIds];
    const jobs = await eventually('every acknowledged job and forward to finish', async () => {
      const rows = await db.job.findMany({ where: { id: { in: acknowledged } } });
      return rows.length === acknowledged.length && rows.every((job) => job.state === 'done') ? rows : undefined;
    });
    results.lostJobs = acknowledged.length - jobs.length;
    assert.equal(jobs.length, acknowledged.length, 'no acknowledged job lost');
    const effects = await cluster.control('effects');
    for (const job of jobs) {
      const count = effects.byKey[job.idempotencyKey] ?? 0;
      assert.ok(count >= 1 && count <= job.attempts, `job ${job.id}: ${count} requests for ${job.attempts} attempts`);
    }

    // The bulk replay: resumed by a survivor once its lease expired; every call replayed once, and only the
    // items in flight at the kill sent again (under the same derived key, see test/jobs/crash.test.ts).
    const run = await eventually('the replay to finish on a survivor', async () => {
      const { body } = await cluster.api(`/api/replay/bulk/${runId}`);
      return body.state === 'done' ? body : undefined;
    });
    assert.deepEqual([run.total, run.succeeded, run.failed, run.refused], [REPLAYED_CALLS, REPLAYED_CALLS, 0, 0]);
    assert.ok(run.resumes >= 1, 'another instance took the run over');
    const byRoute = (await cluster.control('stats')).byRoute;
    const sentAgain = Array.from({ length: REPLAYED_CALLS }, (_, i) => byRoute[`/replays/resume/${i}`] - 2);
    assert.ok(
      sentAgain.every((n) => n >= 0),
      'every call replayed',
    );
    const replayItemsSentTwice = sentAgain.reduce((sum, n) => sum + n, 0);
    assert.ok(replayItemsSentTwice <= REPLAY_CONCURRENCY, `${replayItemsSentTwice} replays sent again`);

    // Calls: what the dashboard counts equals what the load generator got answered. The killed instance's
    // calls answered after its last flush are in its telemetry journal, replayed when it is started again
    // under the same id (as systemd or Kubernetes would restart it).
    const servedBy = new Map(cluster.nginx.accessLog().map((line) => [line.requestId, line.upstream]));
    const killedAddress = `127.0.0.1:${killedPort}`;
    const byKilled = answers.filter((a) => servedBy.get(a.requestId) === killedAddress);
    const bySurvivors = answers.length - byKilled.length;
    const recorded = async (instances: string[]) =>
      (
        await db.metricRollup.aggregate({
          _sum: { count: true },
          where: { instance: { in: instances }, bucketSeconds: 60, integration: { slug: 'work' } },
        })
      )._sum.count ?? 0;
    const survivors = IDS.filter((id) => id !== victim);
    const survivorsAnswered = bySurvivors + probesOf('work', survivors);
    await eventually('the survivors to flush what they answered', async () =>
      (await recorded(survivors)) === survivorsAnswered ? true : undefined,
    );
    const countedBeforeRestart = await recorded([victim]);
    await cluster.restartInstance(victim, killedPort);
    const answeredAndProbes = answers.length + probesOf('work', IDS);
    // the replayed journal is counted by the restarted instance's first flush
    await eventually('the restarted instance to count its journal', async () =>
      (await recorded(IDS)) === answeredAndProbes ? true : undefined,
    ).catch(() => undefined);
    const { body: overview } = await cluster.api('/api/overview?window=15m');
    const dashboard = overview.integrations.find((tile: { slug: string }) => tile.slug === 'work').requests;
    results.lostCalls = answeredAndProbes - dashboard;
    const unflushedAtKill = byKilled.filter((a) => a.at >= killedAt - 250).length;
    results.sigkill = {
      answered: answers.length,
      answeredByKilled: byKilled.length,
      dashboardCount: dashboard,
      jobsAcknowledged: jobIds.length,
      webhookDeliveriesAcknowledged: deliveries.length,
      jobsAndForwardsSentTwice: jobs.filter((job) => (effects.byKey[job.idempotencyKey] ?? 0) > 1).length,
      killedAnsweredInLastFlushInterval: unflushedAtKill,
      replayedFromJournal: (await recorded([victim])) - countedBeforeRestart,
      replayItems: REPLAYED_CALLS,
      replayResumes: run.resumes,
      replayItemsSentTwice,
    };
    assert.equal(await recorded(survivors), survivorsAnswered, 'every call a survivor answered is counted');
    assert.equal(
      dashboard,
      answeredAndProbes,
      `${results.lostCalls} calls answered but not counted (negative: counted twice); the killed instance answered ${unflushedAtKill} in its last flush interval`,
    );

    // The evaluator: SIGKILL whichever survivor holds the lease now; the last instance takes it within one
    // interval, resolves the rule once the dead letter is discarded, and each transition is notified once.
    const lease = await eventually('a live evaluator', async () => {
      const row = await db.lease.findUniqueOrThrow({ where: { name: 'alert-evaluator' } });
      return cluster.instances.has(row.holder) ? row : undefined;
    });
    const evaluatorKilledAt = Date.now();
    await cluster.stopInstance(lease.holder, 'SIGKILL');
    const next = await eventually(
      'another instance to take the evaluator lease',
      async () => {
        const row = await db.lease.findUniqueOrThrow({ where: { name: 'alert-evaluator' } });
        return row.token > lease.token ? { ...row, at: Date.now() } : undefined;
      },
      30_000,
    );
    results.evaluatorFailoverMs = next.at - evaluatorKilledAt;
    assert.ok(cluster.instances.has(next.holder), `the new evaluator ${next.holder} is running`);
    assert.equal((await cluster.api(`/api/dead-letters/${refused.body.id}`, { method: 'DELETE' })).status, 200);
    await eventually('the resolved notification', () => (receiver.count(RULE, 'resolved') > 0 ? true : undefined));
    await sleep(2 * ALERT_INTERVAL_MS);
    results.duplicateNotifications = receiver.count(RULE, 'firing') - 1 + (receiver.count(RULE, 'resolved') - 1);
    assert.deepEqual([receiver.count(RULE, 'firing'), receiver.count(RULE, 'resolved')], [1, 1]);
    assert.ok(
      results.evaluatorFailoverMs <= ALERT_INTERVAL_MS,
      `a new evaluator after ${results.evaluatorFailoverMs} ms (interval ${ALERT_INTERVAL_MS} ms)`,
    );
  });

  test('SIGKILL of the instance running a polling sync: a survivor resumes it from its checkpoint once the lease expires, every feed item stored once', async () => {
    await everywhere('feed');
    // Small, slow pages, so the run is part-way through the feed when its instance dies.
    await cluster.setFault({ route: '/events', mode: 'ok', latencyMs: { kind: 'uniform', min: 150, max: 250 } });
    const PAGE_SIZE = 10;
    const created = await cluster.api('/api/syncs', {
      method: 'POST',
      body: { slug: 'cluster-feed', integration: 'feed', path: '/events', pageSize: PAGE_SIZE, maxPages: 1000 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const sync = await db.sync.findFirstOrThrow({ where: { slug: 'cluster-feed' } });
    const checkpointOf = async () => Number((await db.sync.findUniqueOrThrow({ where: { id: sync.id } })).checkpoint);
    await eventually('the sync a quarter through the feed', async () =>
      (await checkpointOf()) >= FEED_ITEMS / 4 ? true : undefined,
    );

    // The instance running it: the only one whose rollups hold the feed's pages (probes aside).
    const pollersOf = async () =>
      (
        await db.metricRollup.groupBy({
          by: ['instance'],
          where: {
            bucketSeconds: 60,
            outcomeClass: 'success',
            integration: { slug: 'feed' },
            NOT: { route: { contains: '__probe__' } },
          },
        })
      ).map((row) => row.instance);
    const [victim, ...others] = await eventually('the instance polling the feed', async () => {
      const pollers = await pollersOf();
      return pollers.length > 0 ? pollers : undefined;
    });
    assert.deepEqual(others, [], 'one instance runs the sync');
    assert.ok(cluster.instances.has(victim), `the sync runs on ${victim}, one of the instances`);
    const killedAt = Date.now();
    await cluster.stopInstance(victim, 'SIGKILL');
    const atKill = await db.sync.findUniqueOrThrow({ where: { id: sync.id } });
    const checkpointAtKill = Number(atKill.checkpoint);
    assert.ok(checkpointAtKill < FEED_ITEMS, `the run is part-way when its instance dies (at ${checkpointAtKill})`);

    // A survivor takes the sync over once the killed runner's lease has expired, and catches the feed up.
    const runs = await eventually('a survivor to finish the sync', async () => {
      const rows = await db.syncRun.findMany({ where: { syncId: sync.id }, orderBy: { startedAt: 'asc' } });
      return rows.some((run) => run.state === 'done' && run.toCheckpoint === String(FEED_ITEMS)) ? rows : undefined;
    });
    const [interrupted, resumed] = runs;
    assert.equal(interrupted.state, 'interrupted', 'the killed run is marked interrupted');
    assert.equal(resumed.state, 'done');
    assert.ok(atKill.leaseUntil && resumed.startedAt >= atKill.leaseUntil, 'taken over only after the lease expired');
    assert.equal(resumed.fromCheckpoint, String(checkpointAtKill), 'resumed from the checkpoint, not from the start');
    assert.equal(interrupted.toCheckpoint, resumed.fromCheckpoint, 'the checkpoint continues');
    const pollers = await pollersOf();
    assert.ok(
      pollers.some((id) => id !== victim && cluster.instances.has(id)),
      `a survivor polled the feed (${pollers.join(', ')})`,
    );

    // Every event of the feed stored once: none skipped, none twice (runs count the items they stored).
    const stored = await db.syncItem.findMany({ where: { syncId: sync.id }, select: { itemId: true } });
    const expected = Array.from({ length: FEED_ITEMS }, (_, i) => `evt_${String(i).padStart(8, '0')}`);
    const storedIds = new Set(stored.map((item) => item.itemId));
    const storedByRuns = runs.reduce((sum, run) => sum + run.items, 0);
    results.lostSyncItems = expected.filter((id) => !storedIds.has(id)).length;
    results.duplicateSyncItems = storedByRuns - storedIds.size + (stored.length - storedIds.size);
    // Pages fetched: each committed page once, one empty page per finished run, and any page in flight at the kill.
    const fetched = (await cluster.control('stats')).byRoute['/events'] ?? 0;
    const committedPages = runs.reduce((sum, run) => sum + run.pages, 0);
    const finishedRuns = runs.filter((run) => run.state === 'done').length;
    results.syncSigkill = {
      feedItems: FEED_ITEMS,
      stored: stored.length,
      checkpointAtKill,
      runs: runs.length,
      takeoverAfterKillMs: resumed.startedAt.getTime() - killedAt,
      leaseMs: Number(cluster.env(victim, REDIS_URL).BREAKWATER_SYNC_LEASE_MS),
      pagesFetchedAgain: fetched - committedPages - finishedRuns,
    };
    assert.deepEqual([...storedIds].sort(), expected, 'every feed item stored');
    assert.equal(results.duplicateSyncItems, 0, `${storedByRuns} items stored by runs for ${storedIds.size} ids`);
    assert.equal((await db.sync.findUniqueOrThrow({ where: { id: sync.id } })).checkpoint, String(FEED_ITEMS));
    assert.ok(results.syncSigkill.pagesFetchedAgain <= 1, 'only the page in flight at the kill is fetched again');
  });
});

describe('the same cluster with Redis unavailable', () => {
  before(async () => {
    await cluster.stopInstances();
    const port = await closedPort();
    await cluster.launch(IDS, PORTS.instances.slice(3, 6), `redis://127.0.0.1:${port}`);
  });

  test('calls keep succeeding on local state, and the degradation shows on the instances page and in the metrics', async () => {
    // Calls that use Redis when it is there: cacheable GETs, keyed POSTs, a rate-limited integration; round
    // robin takes each kind to every instance.
    const statuses = [];
    for (let i = 0; i < 30; i++) {
      const response =
        i % 3 === 0
          ? await cluster.gateway('cached', `/degraded/${i}`)
          : i % 3 === 1
            ? await cluster.gateway('payments', '/charges', {
                method: 'POST',
                body: '{}',
                headers: { 'idempotency-key': `degraded-${i}` },
              })
            : await cluster.gateway('limited', `/degraded/${i}`);
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    assert.deepEqual(new Set(statuses), new Set([200]));
    const repeated = await cluster.gateway('payments', '/charges', {
      method: 'POST',
      body: '{}',
      headers: { 'idempotency-key': 'degraded-1' },
    });
    assert.equal(repeated.status, 200, 'a repeated key is still answered (from local state on its instance, or sent)');

    const instances = await eventually('every instance to report Redis degraded', async () => {
      const { body } = await cluster.api('/api/instances');
      const live = body.instances.filter((i: { stale: boolean }) => !i.stale);
      return live.length === 3 && live.every((i: { redisDegraded: boolean }) => i.redisDegraded) ? live : undefined;
    });
    const metrics = await fetch(`${cluster.nginx.url}/api/metrics`, {
      headers: { authorization: `Bearer ${cluster.token}` },
    }).then((r) => r.text());
    assert.match(metrics, /^breakwater_redis_degraded(\{[^}]*\})? 1$/m);
    results.redisUnavailable = {
      calls: statuses.length,
      failed: statuses.filter((s) => s !== 200).length,
      degradedInstances: instances.length,
    };
  });
});
