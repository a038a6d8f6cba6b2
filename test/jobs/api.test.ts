import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createDb, type Db } from '@/lib/db';
import { eventually, JobsHarness, SECRET } from './support';

// Replay, jobs, dead letters and batch on the production server in front of the demo upstream.
const h = new JobsHarness();
let db: Db;
let token: string;

before(async () => {
  await h.start();
  db = createDb(h.database.url);
  token = (await h.api('/api/tokens', { method: 'POST', body: { name: 'jobs test' } })).body.token;
});

after(async () => {
  await db?.$disconnect();
  await h.stop();
});

async function jobState(id: string, states: string[]) {
  return eventually(`job ${id} to reach ${states}`, async () => {
    const job = (await h.api(`/api/jobs/${id}`)).body;
    return states.includes(job.state) ? job : undefined;
  });
}

async function failedCall(path: string) {
  return eventually(`the failed call to ${path} in the call log`, async () => {
    const { body } = await h.api(`/api/calls?integration=demo&outcome=server_error&route=${encodeURIComponent(path)}`);
    return body.calls[0];
  });
}

describe('manual replay', () => {
  test('a failed call replays as recorded once the upstream recovers: a new call linked to it, secret re-injected', async () => {
    await h.setFault({ route: '/demo/orders/*', mode: 'fail', failStatus: 503 });
    const key = randomUUID();
    const original = await fetch(`${h.server.url}/api/gw/demo/orders/42`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': key, 'x-custom': 'kept' },
    });
    assert.equal(original.status, 503);
    const call = await failedCall('/orders');
    await h.control('faults', { method: 'DELETE' });

    const dry = await h.api(`/api/calls/${call.id}/replay`, { method: 'POST', body: { dryRun: true } });
    assert.equal(dry.status, 200, JSON.stringify(dry.body));
    assert.equal(dry.body.request.method, 'DELETE');
    assert.equal(dry.body.request.url, `${h.upstream.url}/demo/orders/42`);
    assert.equal(dry.body.request.headers.authorization, '[redacted]');
    assert.equal(dry.body.request.headers['x-custom'], 'kept');
    assert.equal(dry.body.request.idempotencyKey, key, 'reuse is the default');
    assert.ok(!JSON.stringify(dry.body).includes(SECRET));
    assert.equal((await h.control('stats')).total, 1, 'a dry run sends nothing');

    const replay = await h.api(`/api/calls/${call.id}/replay`, { method: 'POST', body: {} });
    assert.equal(replay.status, 200, JSON.stringify(replay.body));
    assert.equal(replay.body.status, 200);
    assert.equal(replay.body.replayOf, call.id);
    const sent = await h.control('last-request');
    assert.equal(sent.headers.authorization, `Bearer ${SECRET}`, 'the secret comes from the integration');
    assert.equal(sent.headers['idempotency-key'], key);
    assert.equal(sent.headers['x-custom'], 'kept');
    assert.notEqual(sent.headers['x-request-id'], call.id);

    const detail = await h.api(`/api/calls/${replay.body.replayId}`);
    assert.equal(detail.status, 200);
    assert.equal(detail.body.replayOfId ?? detail.body.call?.replayOfId, call.id);
    const row = await db.callLog.findUniqueOrThrow({ where: { id: replay.body.replayId } });
    assert.equal(row.replayOfId, call.id);
    assert.equal(row.keptBecause, 'replay');
    assert.ok(!row.requestHeaders.includes(SECRET));
  });

  test('idempotency "new" sends a fresh key; an edited replay changes method, path, query, headers and body', async () => {
    await h.setFault({ route: '/demo/refunds', mode: 'fail', failStatus: 502 });
    const key = randomUUID();
    await fetch(`${h.server.url}/api/gw/demo/refunds`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': key },
    });
    const call = await failedCall('/refunds');
    await h.control('faults', { method: 'DELETE' });

    const fresh = await h.api(`/api/calls/${call.id}/replay`, { method: 'POST', body: { idempotency: 'new' } });
    assert.equal(fresh.body.status, 200);
    const freshKey = (await h.control('last-request')).headers['idempotency-key'];
    assert.ok(freshKey && freshKey !== key);

    const edited = await h.api(`/api/calls/${call.id}/replay`, {
      method: 'POST',
      body: {
        mode: 'edited',
        edit: {
          method: 'POST',
          path: '/refunds/r_9',
          query: { reason: 'dup' },
          headers: { 'x-note': 'edited', authorization: '[redacted]' },
          body: { amount: 5 },
        },
      },
    });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    const sent = await h.control('last-request');
    assert.equal(sent.method, 'POST');
    assert.equal(sent.path, '/demo/refunds/r_9');
    assert.deepEqual(sent.query, { reason: 'dup' });
    assert.equal(sent.headers['x-note'], 'edited');
    assert.equal(sent.headers.authorization, `Bearer ${SECRET}`, 'a "[redacted]" header is never sent as such');
    assert.equal(sent.headers['idempotency-key'], key);
    const row = await db.callLog.findUniqueOrThrow({ where: { id: edited.body.replayId } });
    assert.equal(row.requestBody, '{"amount":5}');
  });

  test('a call whose recorded body was cut, or not recorded, is refused with 409; edited with a body it replays', async () => {
    const integration = await db.integration.findUniqueOrThrow({
      where: { workspaceId_slug: { workspaceId: 'default', slug: 'demo' } },
    });
    const base = {
      integrationId: integration.id,
      startedAt: new Date(),
      durationMs: 5,
      method: 'POST',
      route: '/charges',
      path: '/demo/charges',
      status: 503,
      outcome: 'server_error',
      attemptCount: 1,
      keptBecause: 'server_error',
      requestHeaders: JSON.stringify({ 'content-type': 'application/json', authorization: '[redacted]' }),
    };
    const cut = await db.callLog.create({
      data: { ...base, id: randomUUID(), requestBody: `{"a":"${'x'.repeat(4000)}…[2000 more bytes]` },
    });
    const missing = await db.callLog.create({ data: { ...base, id: randomUUID(), requestBody: null } });
    for (const id of [cut.id, missing.id]) {
      const refused = await h.api(`/api/calls/${id}/replay`, { method: 'POST', body: {} });
      assert.equal(refused.status, 409);
      assert.equal(refused.body.field, 'body');
      assert.match(refused.body.error, /cannot be replayed as recorded/);
    }
    const before = (await h.control('stats')).total;
    const edited = await h.api(`/api/calls/${cut.id}/replay`, {
      method: 'POST',
      body: { mode: 'edited', edit: { body: '{"a":"full"}' } },
    });
    assert.equal(edited.body.status, 200);
    assert.equal((await h.control('stats')).total, before + 1);
    assert.equal((await h.api('/api/calls/nope/replay', { method: 'POST', body: {} })).status, 404);
    const badMode = await h.api(`/api/calls/${cut.id}/replay`, { method: 'POST', body: { mode: 'edited' } });
    assert.equal(badMode.status, 400);
    assert.equal(badMode.body.field, 'edit');
  });

  test('bulk replay: a dry run counts the matching calls, the run replays each and reports progress', async () => {
    await h.setFault({ route: '/demo/bulk/*', mode: 'fail', failStatus: 500 });
    for (let i = 0; i < 4; i++) await h.gateway(token, 'GET', `/bulk/item${i}`);
    const filter = { integration: 'demo', outcome: 'server_error', route: '/bulk' };
    await eventually('four failed bulk calls', async () => {
      const { body } = await h.api('/api/calls?integration=demo&outcome=server_error&route=/bulk');
      return body.calls.length === 4 ? true : undefined;
    });
    await h.control('faults', { method: 'DELETE' });
    const preview = await h.api('/api/replay/bulk', { method: 'POST', body: { filter, dryRun: true } });
    assert.deepEqual(preview.body, { dryRun: true, count: 4, more: false });
    const started = await h.api('/api/replay/bulk', { method: 'POST', body: { filter, concurrency: 2 } });
    assert.equal(started.status, 202);
    const run = await eventually('the bulk replay to finish', async () => {
      const { body } = await h.api(`/api/replay/bulk/${started.body.run.id}`);
      return body.state === 'done' ? body : undefined;
    });
    assert.equal(run.total, 4);
    assert.equal(run.succeeded, 4);
    const replays = await db.callLog.findMany({ where: { replayOfId: { not: null }, route: { startsWith: '/bulk' } } });
    assert.equal(replays.length, 4);
    assert.ok(replays.every((r) => r.outcome === 'success'));
    const cancel = await h.api(`/api/replay/bulk/${started.body.run.id}/cancel`, { method: 'POST' });
    assert.equal(cancel.body.state, 'done', 'a finished run stays done');
  });

  test("a call's detail lists its replays; the explorer selects replays, originals, or one call's replays", async () => {
    await h.setFault({ route: '/demo/linked/*', mode: 'fail', failStatus: 503 });
    await h.gateway(token, 'GET', '/linked/1');
    const call = await failedCall('/linked');
    await h.control('faults', { method: 'DELETE' });
    const replay = await h.api(`/api/calls/${call.id}/replay`, { method: 'POST', body: {} });
    assert.equal(replay.body.status, 200);

    const detail = await h.api(`/api/calls/${call.id}`);
    assert.deepEqual(
      detail.body.call.replays.map((r: { id: string; status: number; outcome: string }) => [r.id, r.status, r.outcome]),
      [[replay.body.replayId, 200, 'success']],
    );
    const ids = async (query: string) =>
      (await h.api(`/api/calls?integration=demo&route=/linked&${query}`)).body.calls.map((c: { id: string }) => c.id);
    assert.deepEqual(await ids(`replayOf=${call.id}`), [replay.body.replayId]);
    assert.deepEqual(await ids('replays=only'), [replay.body.replayId]);
    assert.deepEqual(await ids('replays=exclude'), [call.id]);
    // An edited path the gateway would refuse is refused when sent too, not only in a dry run: nothing goes out.
    const sentBefore = (await h.control('stats')).total;
    for (const dryRun of [true, false]) {
      const unsafe = await h.api(`/api/calls/${call.id}/replay`, {
        method: 'POST',
        body: { mode: 'edited', dryRun, edit: { path: '/linked/../admin' } },
      });
      assert.equal(unsafe.status, 400, JSON.stringify(unsafe.body));
      assert.equal(unsafe.body.field, 'edit.path');
    }
    assert.equal((await h.control('stats')).total, sentBefore);
    const bad = await h.api('/api/calls?replays=maybe');
    assert.equal(bad.status, 400, 'an unknown replays filter is refused');
    assert.equal(bad.body.field, 'replays');

    // A bulk replay takes the explorer's whole filter: one call's replays select exactly those.
    const bulk = await h.api('/api/replay/bulk', {
      method: 'POST',
      body: { filter: { replayOf: call.id }, dryRun: true },
    });
    assert.deepEqual(bulk.body, { dryRun: true, count: 1, more: false });
    // A filter it does not know is refused, naming it, rather than ignored (which would replay more).
    const runsBefore = await db.replayRun.count();
    const unknown = await h.api('/api/replay/bulk', { method: 'POST', body: { filter: { requestID: call.id } } });
    assert.equal(unknown.status, 400, JSON.stringify(unknown.body));
    assert.match(`${unknown.body.field} ${unknown.body.error}`, /requestID/);
    assert.equal(await db.replayRun.count(), runsBefore, 'nothing started');
  });
});

describe('durable jobs and dead letters', () => {
  test('POST /api/jobs answers 202 with an id; the worker runs it with its idempotency key; GET shows the result', async () => {
    const created = await h.api('/api/jobs', {
      method: 'POST',
      body: { integration: 'demo', method: 'POST', path: '/payouts', body: { amount: 10 }, priority: 5 },
    });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const job = await jobState(created.body.id, ['done']);
    assert.equal(job.result.status, 200);
    assert.equal(job.attempts, 1);
    assert.equal(JSON.parse(job.result.body).bodyBytes, '{"amount":10}'.length);
    const effects = await h.control('effects');
    assert.equal(effects.byKey[created.body.idempotencyKey], 1);
  });

  test('a failing job is retried on the schedule with the same key, then dead-lettered; replay and discard', async () => {
    await h.setFault({ route: '/demo/flaky', mode: 'fail', failStatus: 503 });
    const created = await h.api('/api/jobs', {
      method: 'POST',
      body: { integration: 'demo', method: 'PUT', path: '/flaky', maxAttempts: 3, idempotencyKey: 'job-key-1' },
    });
    const dead = await jobState(created.body.id, ['dead']);
    assert.equal(dead.attempts, 3);
    assert.equal(dead.attemptLog.length, 3);
    assert.equal(dead.result.status, 503);
    assert.match(dead.lastError, /503/);
    assert.equal((await h.control('effects')).byKey['job-key-1'], 3, 'every attempt carried the one key');

    const list = await h.api('/api/dead-letters?integration=demo');
    assert.ok(list.body.deadLetters.some((j: { id: string }) => j.id === created.body.id));
    const stats = await h.api('/api/jobs/stats');
    assert.ok(stats.body.deadLetters >= 1);
    assert.equal(typeof stats.body.oldestDeadLetterAgeSeconds, 'number');

    await h.control('faults', { method: 'DELETE' });
    assert.equal((await h.api(`/api/dead-letters/${created.body.id}/replay`, { method: 'POST' })).status, 202);
    const done = await jobState(created.body.id, ['done']);
    assert.equal(done.idempotencyKey, 'job-key-1');

    await h.setFault({ route: '/demo/gone', mode: 'fail', failStatus: 404 });
    const permanent = await h.api('/api/jobs', {
      method: 'POST',
      body: { integration: 'demo', method: 'POST', path: '/gone' },
    });
    const deadNow = await jobState(permanent.body.id, ['dead']);
    assert.equal(deadNow.attempts, 1, 'a 404 is not retried');
    const discarded = await h.api('/api/dead-letters/discard', { method: 'POST', body: { ids: [permanent.body.id] } });
    assert.equal(discarded.body.discarded, 1);
    assert.equal((await h.api(`/api/jobs/${permanent.body.id}`)).body.state, 'discarded');
  });

  test('the job list pages newest first: every job once, in order, then no cursor; a forged cursor is a 400', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await h.api('/api/jobs', {
        method: 'POST',
        body: { integration: 'demo', method: 'GET', path: `/paging/${i}` },
      });
      assert.equal(created.status, 202, JSON.stringify(created.body));
      ids.push(created.body.id);
    }
    const all = (await h.api('/api/jobs?limit=500')).body.jobs.map((j: { id: string }) => j.id);
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 50; page++) {
      const answer = await h.api(`/api/jobs?limit=2${cursor && `&cursor=${encodeURIComponent(cursor)}`}`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.ok(answer.body.jobs.length <= 2);
      seen.push(...answer.body.jobs.map((j: { id: string }) => j.id));
      if (!answer.body.nextCursor) break;
      cursor = answer.body.nextCursor;
    }
    assert.deepEqual(seen, all, 'the pages together are the whole list, in its order, none twice');
    for (const id of ids) assert.ok(seen.includes(id));
    // Newest first: the last job enqueued comes before the first.
    assert.ok(seen.indexOf(ids[4]) < seen.indexOf(ids[0]));

    const forged = await h.api('/api/jobs?cursor=bm90LWEtY3Vyc29y');
    assert.equal(forged.status, 400);
    assert.equal(forged.body.field, 'cursor');
  });

  test('bad input gets 400 naming the field and enqueues nothing', async () => {
    const before = await db.job.count();
    const cases: [unknown, string][] = [
      [{ integration: 'nope', method: 'GET', path: '/x' }, 'integration'],
      [{ integration: 'demo', method: 'FETCH', path: '/x' }, 'method'],
      [{ integration: 'demo', method: 'GET', path: '/../admin' }, 'path'],
      [{ integration: 'demo', method: 'POST', path: '/x', body: 'x'.repeat(300_000) }, 'body'],
      [{ integration: 'demo', method: 'GET', path: '/x', priority: 'high' }, 'priority'],
      [
        {
          integration: 'demo',
          method: 'GET',
          path: '/x',
          completionWebhook: { url: 'ftp://x', secretEnv: 'BREAKWATER_SECRET_JOB_HOOK' },
        },
        'completionWebhook.url',
      ],
      ['{not json', '(body)'],
    ];
    for (const [body, field] of cases) {
      const response = await h.api('/api/jobs', { method: 'POST', body });
      assert.equal(response.status, 400, `${field}: ${JSON.stringify(response.body)}`);
      assert.equal(response.body.field, field);
    }
    const batchCases: [unknown, string][] = [
      [{ integration: 'demo', items: [] }, 'items'],
      [{ integration: 'demo', items: [{ method: 'GET' }] }, 'items.0.path'],
      [
        {
          integration: 'demo',
          items: [
            { method: 'GET', path: '/ok' },
            { method: 'GET', path: '/a/../../b' },
          ],
        },
        'items.1.path',
      ],
      [{ integration: 'missing', items: [{ method: 'GET', path: '/ok' }] }, 'integration'],
      [{ integration: 'demo', items: [{ method: 'GET', path: '/ok' }], concurrency: 0 }, 'concurrency'],
    ];
    const requestsBefore = (await h.control('stats')).total;
    for (const [body, field] of batchCases) {
      const response = await h.api('/api/batch', { method: 'POST', body });
      assert.equal(response.status, 400, `${field}: ${JSON.stringify(response.body)}`);
      assert.equal(response.body.field, field);
    }
    assert.equal(await db.job.count(), before);
    assert.equal((await h.control('stats')).total, requestsBefore, 'nothing was sent');
  });
});

describe('batch', () => {
  test('one result per item, failed items dead-lettered on request; stop on the first error when asked', async () => {
    await h.setFault({ route: '/demo/batch/bad', mode: 'fail', failStatus: 500 });
    const items = [
      { method: 'GET', path: '/batch/a' },
      { method: 'POST', path: '/batch/bad', body: { n: 1 } },
      { method: 'POST', path: '/batch/c', body: 'plain' },
    ];
    const result = await h.api('/api/batch', {
      method: 'POST',
      body: { integration: 'demo', items, concurrency: 2, deadLetterFailed: true },
    });
    assert.equal(result.status, 200, JSON.stringify(result.body));
    assert.deepEqual(
      result.body.results.map((r: { index: number; ok: boolean; status: number }) => [r.index, r.ok, r.status]),
      [
        [0, true, 200],
        [1, false, 500],
        [2, true, 200],
      ],
    );
    const deadLetter = await h.api(`/api/dead-letters/${result.body.results[1].deadLetterId}`);
    assert.equal(deadLetter.body.request.path, '/batch/bad');
    assert.equal(deadLetter.body.source, 'batch');

    const stopped = await h.api('/api/batch', {
      method: 'POST',
      body: { integration: 'demo', items: [items[1], items[0]], concurrency: 1, continueOnError: false },
    });
    assert.equal(stopped.body.results[1].skipped, true);
    assert.equal(stopped.body.skipped, 1);
  });
});
