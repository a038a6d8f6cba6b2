import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { eventually, SECRETS, WebhookHarness } from './support';

// Inbound webhooks on the production server: deliveries signed by each scheme's own reference library
// (standardwebhooks, stripe; the generic HMAC has none, so node:crypto), verified on the raw bytes, stored,
// acknowledged and forwarded once to the application (a receiver on 127.0.0.1) through the job queue.

const h = new WebhookHarness();
const stripe = new Stripe('sk_test_breakwater_webhooks');
const nowS = () => Math.floor(Date.now() / 1000);

/** Headers of a Standard Webhooks delivery, signed by the standardwebhooks package. */
function standardHeaders(secret: string, id: string, body: string, at = new Date()) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

/** A Stripe delivery's header, signed by the stripe package. */
function stripeHeaders(secret: string, body: string, timestamp = nowS()) {
  return { 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp }) };
}

const event = (marker: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'payment.succeeded', marker, data: { amount: 4200, note: 'naïve café ✓' }, ...extra });

before(async () => {
  await h.start();
  await h.createSource({
    name: 'Payments (Standard Webhooks)',
    slug: 'std',
    integration: 'app',
    forwardPath: '/hooks/payments',
    scheme: 'standard',
    secretEnv: 'BREAKWATER_SECRET_WH_STD_SECRET',
    maxBodyBytes: 4096,
  });
  await h.createSource({
    name: 'Stripe',
    slug: 'stripe',
    integration: 'app',
    forwardPath: '/hooks/stripe',
    scheme: 'stripe',
    secretEnv: 'BREAKWATER_SECRET_WH_STRIPE_SECRET',
  });
});

after(() => h.stop());

/**
 * Nothing was stored or forwarded for the markers: a valid delivery sent afterwards is forwarded (the
 * queue runs in order), and by then no request carried any of them; the source holds only `stored` events.
 */
async function assertNothingForwarded(slug: string, markers: string[], stored: number) {
  const sentinel = `sentinel-${randomUUID()}`;
  const body = event(sentinel, { id: `evt_${sentinel}` });
  const headers =
    slug === 'stripe'
      ? stripeHeaders(SECRETS.BREAKWATER_SECRET_WH_STRIPE_SECRET, body)
      : standardHeaders(SECRETS.BREAKWATER_SECRET_WH_STD_SECRET, `msg_${sentinel}`, body);
  assert.equal((await h.deliver(slug, body, headers)).status, 200);
  await eventually('the sentinel to be forwarded', () => (h.receiver.carrying(sentinel).length ? true : undefined));
  for (const marker of markers) assert.deepEqual(h.receiver.carrying(marker), [], `${marker} was forwarded`);
  const { body: page } = await h.api(`/api/webhook-events?source=${slug}&limit=200`);
  assert.equal(page.events.length, stored + 1, 'only accepted deliveries are stored');
}

describe('Standard Webhooks', () => {
  test('a signed delivery is stored, acknowledged with its id and forwarded once with its raw body', async () => {
    const marker = randomUUID();
    const body = event(marker);
    const id = `msg_${marker}`;
    const accepted = await h.deliver('std', body, standardHeaders(SECRETS.BREAKWATER_SECRET_WH_STD_SECRET, id, body));
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.equal(accepted.body.duplicate, false);
    assert.match(accepted.body.id, /^[0-9a-f-]{36}$/);

    const forwarded = await eventually('the forward', () => h.receiver.carrying(marker)[0]);
    assert.equal(forwarded.method, 'POST');
    assert.equal(forwarded.path, '/app/hooks/payments');
    assert.equal(forwarded.body.toString('utf8'), body, 'the raw bytes, not a re-serialized body');
    assert.equal(forwarded.headers['content-type'], 'application/json');
    assert.equal(forwarded.headers['webhook-id'], id);
    assert.equal(forwarded.headers['idempotency-key'], id, 'the event id is the idempotency key');
    assert.equal(forwarded.headers['x-breakwater-webhook-source'], 'std');
    assert.equal(forwarded.headers['x-breakwater-webhook-event'], accepted.body.id);
    assert.equal(
      forwarded.headers.authorization,
      `Bearer ${SECRETS.BREAKWATER_SECRET_WH_APP_KEY}`,
      "the integration's own credential",
    );

    const detail = await eventually('the event to show forwarded', async () => {
      const { body: e } = await h.api(`/api/webhook-events/${accepted.body.id}`);
      return e.state === 'forwarded' ? e : undefined;
    });
    assert.equal(detail.body, body);
    assert.equal(detail.headers['webhook-id'], id);
    assert.equal(detail.dedupKey, id);
    assert.equal(detail.job.state, 'done');
    assert.equal(detail.job.idempotencyKey, id);
    const job = await h.api(`/api/jobs/${detail.job.id}`);
    assert.equal(job.body.source, 'webhook');
  });

  test('a redelivery of the same id is acknowledged with duplicate: true and not forwarded again', async () => {
    const marker = randomUUID();
    const body = event(marker);
    const id = `msg_${marker}`;
    const first = await h.deliver('std', body, standardHeaders(SECRETS.BREAKWATER_SECRET_WH_STD_SECRET, id, body));
    assert.equal(first.status, 200);
    await eventually('the forward', () => h.receiver.carrying(marker)[0]);
    // A redelivery is signed anew (a later timestamp), as senders do.
    const again = await h.deliver(
      'std',
      body,
      standardHeaders(SECRETS.BREAKWATER_SECRET_WH_STD_SECRET, id, body, new Date(Date.now() + 1000)),
    );
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { id: first.body.id, duplicate: true });
    const { body: page } = await h.api(`/api/webhook-events?source=std&limit=200`);
    await assertNothingForwarded('std', [], page.events.length);
    assert.equal(h.receiver.carrying(marker).length, 1, 'forwarded once');
    const { body: detail } = await h.api(`/api/webhook-events/${first.body.id}`);
    assert.equal(detail.duplicates, 1);
  });

  test('several signatures in one header (a sender mid-rotation) and Svix-branded headers verify', async () => {
    const marker = randomUUID();
    const body = event(marker);
    const signed = standardHeaders(SECRETS.BREAKWATER_SECRET_WH_STD_SECRET, `msg_${marker}`, body);
    const other = new Webhook(SECRETS.BREAKWATER_SECRET_WH_STD_OLD_SECRET).sign(`msg_${marker}`, new Date(), body);
    const both = await h.deliver('std', body, {
      ...signed,
      'webhook-signature': `${other} ${signed['webhook-signature']}`,
    });
    assert.equal(both.status, 200, JSON.stringify(both.body));

    const svixMarker = randomUUID();
    const svixBody = event(svixMarker);
    const s = standardHeaders(SECRETS.BREAKWATER_SECRET_WH_STD_SECRET, `msg_${svixMarker}`, svixBody);
    const svix = await h.deliver('std', svixBody, {
      'svix-id': s['webhook-id'],
      'svix-timestamp': s['webhook-timestamp'],
      'svix-signature': s['webhook-signature'],
    });
    assert.equal(svix.status, 200, JSON.stringify(svix.body));
    const forwarded = await eventually('the Svix delivery forwarded', () => h.receiver.carrying(svixMarker)[0]);
    assert.equal(forwarded.headers['webhook-id'], `msg_${svixMarker}`);
  });

  test('tampered, wrongly signed, stale, future, header-less and oversized deliveries are refused with their reason; nothing is stored or forwarded', async () => {
    const before = await h.counts('std');
    const { body: page } = await h.api('/api/webhook-events?source=std&limit=200');
    const markers: string[] = [];
    const fresh = () => {
      const marker = randomUUID();
      markers.push(marker);
      return { marker, body: event(marker), id: `msg_${marker}` };
    };
    const expectRefused = async (
      what: string,
      delivery: Promise<{ status: number; body: { reason: string; error: string } }>,
      status: number,
      reason: string,
    ) => {
      const { status: got, body } = await delivery;
      assert.equal(got, status, `${what}: ${JSON.stringify(body)}`);
      assert.equal(body.reason, reason, what);
      assert.ok(body.error.length > 0, what);
    };

    let d = fresh();
    await expectRefused(
      'tampered body',
      h.deliver(
        'std',
        d.body.replace('4200', '9999'),
        standardHeaders(SECRETS.BREAKWATER_SECRET_WH_STD_SECRET, d.id, d.body),
      ),
      401,
      'bad_signature',
    );
    d = fresh();
    await expectRefused(
      'wrong secret',
      h.deliver('std', d.body, standardHeaders(SECRETS.BREAKWATER_SECRET_WH_STD_OLD_SECRET, d.id, d.body)),
      401,
      'bad_signature',
    );
    d = fresh();
    await expectRefused(
      'signed for another id',
      h.deliver('std', d.body, {
        ...standardHeaders(SECRETS.BREAKWATER_SECRET_WH_STD_SECRET, d.id, d.body),
        'webhook-id': 'msg_other',
      }),
      401,
      'bad_signature',
    );
    d = fresh();
    await expectRefused(
      'timestamp 6 minutes old',
      h.deliver(
        'std',
        d.body,
        standardHeaders(SECRETS.BREAKWATER_SECRET_WH_STD_SECRET, d.id, d.body, new Date(Date.now() - 360_000)),
      ),
      401,
      'stale',
    );
    d = fresh();
    await expectRefused(
      'timestamp 6 minutes ahead',
      h.deliver(
        'std',
        d.body,
        standardHeaders(SECRETS.BREAKWATER_SECRET_WH_STD_SECRET, d.id, d.body, new Date(Date.now() + 360_000)),
      ),
      401,
      'stale',
    );
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      d = fresh();
      const headers: Record<string, string> = standardHeaders(SECRETS.BREAKWATER_SECRET_WH_STD_SECRET, d.id, d.body);
      delete headers[name];
      await expectRefused(`without ${name}`, h.deliver('std', d.body, headers), 400, 'missing_headers');
    }
    d = fresh();
    const big = event(d.marker, { padding: 'x'.repeat(5000) });
    await expectRefused(
      'body over maxBodyBytes (Content-Length)',
      h.deliver('std', big, standardHeaders(SECRETS.BREAKWATER_SECRET_WH_STD_SECRET, d.id, big)),
      413,
      'too_large',
    );
    d = fresh();
    const bigStreamed = event(d.marker, { padding: 'y'.repeat(5000) });
    const streamed = await fetch(`${h.server.url}/api/webhooks/std`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...standardHeaders(SECRETS.BREAKWATER_SECRET_WH_STD_SECRET, d.id, bigStreamed),
      },
      body: new Blob([bigStreamed]).stream(),
      duplex: 'half',
    } as RequestInit);
    await expectRefused(
      'chunked body over maxBodyBytes (no Content-Length)',
      streamed.json().then((body) => ({ status: streamed.status, body })),
      413,
      'too_large',
    );
    const unknown = await h.deliver('nope', '{}', {});
    assert.equal(unknown.status, 404);

    await assertNothingForwarded('std', markers, page.events.length);
    const after = await h.counts('std');
    const added = (outcome: string) => after[outcome] - before[outcome];
    assert.equal(added('bad_signature'), 3);
    assert.equal(added('stale'), 2);
    assert.equal(added('missing_headers'), 3);
    assert.equal(added('too_large'), 2);
    assert.equal(added('received'), 1, 'only the sentinel');
  });
});

describe('Stripe', () => {
  test('signed by the stripe package, deduplicated by the event id in the body, refusals with reasons', async () => {
    const before = await h.counts('stripe');
    const { body: page } = await h.api('/api/webhook-events?source=stripe&limit=200');
    const marker = randomUUID();
    const body = event(marker, { id: `evt_${marker}`, object: 'event' });
    const accepted = await h.deliver('stripe', body, stripeHeaders(SECRETS.BREAKWATER_SECRET_WH_STRIPE_SECRET, body));
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    const forwarded = await eventually('the forward', () => h.receiver.carrying(marker)[0]);
    assert.equal(forwarded.body.toString('utf8'), body);
    assert.equal(forwarded.headers['idempotency-key'], `evt_${marker}`);
    const again = await h.deliver(
      'stripe',
      body,
      stripeHeaders(SECRETS.BREAKWATER_SECRET_WH_STRIPE_SECRET, body, nowS() + 2),
    );
    assert.deepEqual(again.body, { id: accepted.body.id, duplicate: true });

    // Stripe sends several v1 signatures while it rolls a secret: any one matching is enough.
    const rolled = randomUUID();
    const rolledBody = event(rolled, { id: `evt_${rolled}` });
    const t = nowS();
    const good = stripeHeaders(SECRETS.BREAKWATER_SECRET_WH_STRIPE_SECRET, rolledBody, t)['stripe-signature'];
    const old = stripeHeaders('whsec_old_secret', rolledBody, t)['stripe-signature'].split(',v1=')[1];
    const several = await h.deliver('stripe', rolledBody, {
      'stripe-signature': `${good.split(',')[0]},v1=${old},${good.split(',')[1]}`,
    });
    assert.equal(several.status, 200, JSON.stringify(several.body));

    const refused: [string, string, Record<string, string>, number, string][] = [];
    const add = (
      what: string,
      sign: (b: string) => Record<string, string>,
      status: number,
      reason: string,
      tamper = false,
    ) => {
      const m = randomUUID();
      const b = event(m, { id: `evt_${m}` });
      refused.push([m, tamper ? b.replace('4200', '1') : b, sign(b), status, reason]);
      return what;
    };
    const cases = [
      add('tampered', (b) => stripeHeaders(SECRETS.BREAKWATER_SECRET_WH_STRIPE_SECRET, b), 401, 'bad_signature', true),
      add('wrong secret', (b) => stripeHeaders('whsec_wrong', b), 401, 'bad_signature'),
      add('stale', (b) => stripeHeaders(SECRETS.BREAKWATER_SECRET_WH_STRIPE_SECRET, b, nowS() - 400), 401, 'stale'),
      add('future', (b) => stripeHeaders(SECRETS.BREAKWATER_SECRET_WH_STRIPE_SECRET, b, nowS() + 400), 401, 'stale'),
      add('no header', () => ({}), 400, 'missing_headers'),
      add(
        'no timestamp',
        (b) => ({
          'stripe-signature': stripeHeaders(SECRETS.BREAKWATER_SECRET_WH_STRIPE_SECRET, b)['stripe-signature'].replace(
            /^t=\d+,/,
            '',
          ),
        }),
        400,
        'missing_headers',
      ),
    ];
    for (const [i, [, b, headers, status, reason]] of refused.entries()) {
      const response = await h.deliver('stripe', b, headers);
      assert.equal(response.status, status, `${cases[i]}: ${JSON.stringify(response.body)}`);
      assert.equal(response.body.reason, reason, cases[i]);
    }
    await assertNothingForwarded(
      'stripe',
      refused.map(([m]) => m),
      page.events.length + 2,
    );
    assert.equal(h.receiver.carrying(marker).length, 1);
    const after = await h.counts('stripe');
    assert.equal(after.received - before.received, 3, 'two events and the sentinel');
    assert.equal(after.duplicate - before.duplicate, 1);
    assert.equal(after.bad_signature - before.bad_signature, 2);
    assert.equal(after.stale - before.stale, 2);
    assert.equal(after.missing_headers - before.missing_headers, 2);
  });
});

describe('generic HMAC', () => {
  const sign = (algorithm: string, secret: string, payload: string, encoding: 'hex' | 'base64') =>
    createHmac(algorithm, secret).update(payload).digest(encoding);

  test('SHA-256 hex with a prefix and an id header (GitHub style): accepted, deduplicated by the id, tampering refused', async () => {
    await h.createSource({
      name: 'GitHub-like',
      slug: 'gh',
      integration: 'app',
      forwardPath: '/hooks/gh',
      scheme: 'hmac',
      secretEnv: 'BREAKWATER_SECRET_WH_HMAC_SECRET',
      options: { header: 'X-Hub-Signature-256', prefix: 'sha256=', idHeader: 'x-github-delivery' },
    });
    const marker = randomUUID();
    const body = event(marker);
    const headers = {
      'x-hub-signature-256': `sha256=${sign('sha256', SECRETS.BREAKWATER_SECRET_WH_HMAC_SECRET, body, 'hex')}`,
      'x-github-delivery': marker,
    };
    const accepted = await h.deliver('gh', body, headers);
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.equal((await h.deliver('gh', body, headers)).body.duplicate, true);
    const forwarded = await eventually('the forward', () => h.receiver.carrying(marker)[0]);
    assert.equal(forwarded.headers['x-github-delivery'], marker);
    assert.equal(forwarded.headers['idempotency-key'], marker);
    const tampered = await h.deliver('gh', body.replace('4200', '4201'), { ...headers, 'x-github-delivery': 'other' });
    assert.deepEqual([tampered.status, tampered.body.reason], [401, 'bad_signature']);
    const noId = await h.deliver('gh', body, { 'x-hub-signature-256': headers['x-hub-signature-256'] });
    assert.deepEqual([noId.status, noId.body.reason], [400, 'missing_headers']);
    const unprefixed = await h.deliver('gh', body, {
      ...headers,
      'x-hub-signature-256': sign('sha256', SECRETS.BREAKWATER_SECRET_WH_HMAC_SECRET, body, 'hex'),
    });
    assert.deepEqual([unprefixed.status, unprefixed.body.reason], [401, 'bad_signature']);
  });

  test('SHA-1 base64 deduplicated by body hash, and SHA-512 hex over timestamp.body with a timestamp tolerance', async () => {
    await h.createSource({
      name: 'SHA-1',
      slug: 'sha1',
      integration: 'app',
      forwardPath: '/hooks/sha1',
      scheme: 'hmac',
      secretEnv: 'BREAKWATER_SECRET_WH_HMAC_SECRET',
      options: { algorithm: 'sha1', header: 'x-signature', encoding: 'base64' },
    });
    const created = await h.createSource({
      name: 'SHA-512',
      slug: 'sha512',
      integration: 'app',
      forwardPath: '/hooks/sha512',
      scheme: 'hmac',
      secretEnv: 'BREAKWATER_SECRET_WH_HMAC_SECRET',
      toleranceSeconds: 60,
      options: { algorithm: 'sha512', header: 'x-sig', timestampHeader: 'x-sig-timestamp', payload: 'timestamp.body' },
    });
    assert.equal(created.dedupBy, 'hash', 'an HMAC source without an id header dedups by body hash');

    const m1 = randomUUID();
    const b1 = event(m1);
    const sha1 = { 'x-signature': sign('sha1', SECRETS.BREAKWATER_SECRET_WH_HMAC_SECRET, b1, 'base64') };
    assert.equal((await h.deliver('sha1', b1, sha1)).status, 200);
    assert.equal((await h.deliver('sha1', b1, sha1)).body.duplicate, true, 'the same body is the same event');
    const hexInstead = await h.deliver('sha1', b1, {
      'x-signature': sign('sha1', SECRETS.BREAKWATER_SECRET_WH_HMAC_SECRET, b1, 'hex'),
    });
    assert.deepEqual([hexInstead.status, hexInstead.body.reason], [401, 'bad_signature']);
    const sha256Instead = await h.deliver('sha1', b1, {
      'x-signature': sign('sha256', SECRETS.BREAKWATER_SECRET_WH_HMAC_SECRET, b1, 'base64'),
    });
    assert.equal(sha256Instead.status, 401);

    const m2 = randomUUID();
    const b2 = event(m2);
    const signed = (t: number, secret = SECRETS.BREAKWATER_SECRET_WH_HMAC_SECRET) => ({
      'x-sig': sign('sha512', secret, `${t}.${b2}`, 'hex'),
      'x-sig-timestamp': String(t),
    });
    const stale = await h.deliver('sha512', b2, signed(nowS() - 90));
    assert.deepEqual([stale.status, stale.body.reason], [401, 'stale']);
    const future = await h.deliver('sha512', b2, signed(nowS() + 90));
    assert.deepEqual([future.status, future.body.reason], [401, 'stale']);
    const moved = await h.deliver('sha512', b2, { ...signed(nowS()), 'x-sig-timestamp': String(nowS() - 1) });
    assert.deepEqual([moved.status, moved.body.reason], [401, 'bad_signature'], 'the timestamp is signed');
    const noTimestamp = await h.deliver('sha512', b2, { 'x-sig': signed(nowS())['x-sig'] });
    assert.deepEqual([noTimestamp.status, noTimestamp.body.reason], [400, 'missing_headers']);
    assert.equal((await h.deliver('sha512', b2, signed(nowS()))).status, 200);

    await eventually('both forwards', () =>
      h.receiver.carrying(m1).length && h.receiver.carrying(m2).length ? true : undefined,
    );
    assert.equal(h.receiver.carrying(m1).length, 1);
    assert.equal(h.receiver.carrying(m2).length, 1);
    assert.equal(h.receiver.carrying(m2)[0].path, '/app/hooks/sha512');
  });
});

describe('secret rotation and configuration', () => {
  test('both secrets verify during the overlap; once the previous variable is removed from the source, its signatures fail', async () => {
    await h.createSource({
      name: 'Rotating',
      slug: 'rotating',
      integration: 'app',
      scheme: 'standard',
      secretEnv: 'BREAKWATER_SECRET_WH_STD_SECRET',
      previousSecretEnv: 'BREAKWATER_SECRET_WH_STD_OLD_SECRET',
    });
    const send = (secret: string) => {
      const id = `msg_${randomUUID()}`;
      const body = event(id);
      return h.deliver('rotating', body, standardHeaders(secret, id, body));
    };
    assert.equal((await send(SECRETS.BREAKWATER_SECRET_WH_STD_SECRET)).status, 200);
    assert.equal((await send(SECRETS.BREAKWATER_SECRET_WH_STD_OLD_SECRET)).status, 200);
    const patched = await h.api('/api/webhook-sources/rotating', {
      method: 'PATCH',
      body: { previousSecretEnv: null },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.source.previousSecretEnv, null);
    const old = await send(SECRETS.BREAKWATER_SECRET_WH_STD_OLD_SECRET);
    assert.deepEqual([old.status, old.body.reason], [401, 'bad_signature']);
    assert.equal((await send(SECRETS.BREAKWATER_SECRET_WH_STD_SECRET)).status, 200);
  });

  test('a source whose secret variable is unset (or not a whsec_ secret) answers 503, logged by name without any secret', async () => {
    await h.createSource({
      name: 'Unset',
      slug: 'unset',
      integration: 'app',
      scheme: 'stripe',
      secretEnv: 'BREAKWATER_SECRET_WH_NEVER_SET',
    });
    await h.createSource({
      name: 'Malformed',
      slug: 'malformed',
      integration: 'app',
      scheme: 'standard',
      secretEnv: 'BREAKWATER_SECRET_WH_BAD_FORMAT',
    });
    const unset = await h.deliver('unset', '{}', stripeHeaders(SECRETS.BREAKWATER_SECRET_WH_STRIPE_SECRET, '{}'));
    assert.deepEqual([unset.status, unset.body.reason], [503, 'misconfigured']);
    assert.match(unset.body.error, /BREAKWATER_SECRET_WH_NEVER_SET/);
    const malformed = await h.deliver(
      'malformed',
      '{}',
      standardHeaders(SECRETS.BREAKWATER_SECRET_WH_STD_SECRET, 'msg_1', '{}'),
    );
    assert.deepEqual([malformed.status, malformed.body.reason], [503, 'misconfigured']);
    assert.doesNotMatch(JSON.stringify(malformed.body), /not base64 !!/);
    await eventually('the log line', () =>
      h.server.output().includes('BREAKWATER_SECRET_WH_NEVER_SET') ? true : undefined,
    );
    assert.equal((await h.counts('unset')).misconfigured, 1);
    const list = await h.api('/api/webhook-sources');
    const unsetView = list.body.sources.find((s: { slug: string }) => s.slug === 'unset');
    assert.equal(unsetView.secretConfigured, false);
    assert.equal(unsetView.endpoint, '/api/webhooks/default/unset');
  });

  test('bad admin input gets 400 naming the field and creates nothing; a taken slug 409', async () => {
    const valid = {
      name: 'Bad',
      slug: 'bad-input',
      integration: 'app',
      scheme: 'standard',
      secretEnv: 'BREAKWATER_SECRET_WH_STD_SECRET',
    };
    const cases: [string, Record<string, unknown>, number, string][] = [
      ['unknown scheme', { ...valid, scheme: 'svix2' }, 400, 'scheme'],
      [
        'a secret value instead of a variable name',
        { ...valid, secretEnv: SECRETS.BREAKWATER_SECRET_WH_STD_SECRET },
        400,
        'secretEnv',
      ],
      ['lowercase variable name', { ...valid, previousSecretEnv: 'old_secret' }, 400, 'previousSecretEnv'],
      ['unknown integration', { ...valid, integration: 'nope' }, 400, 'integration'],
      ['path without a leading slash', { ...valid, forwardPath: 'hooks' }, 400, 'forwardPath'],
      ['path climbing out of the base', { ...valid, forwardPath: '/../../admin' }, 400, 'forwardPath'],
      ['bad slug', { ...valid, slug: 'Bad Slug' }, 400, 'slug'],
      ['field dedup without a field', { ...valid, dedupBy: 'field' }, 400, 'dedupField'],
      ['hmac id dedup without an id header', { ...valid, scheme: 'hmac', dedupBy: 'id' }, 400, 'options.idHeader'],
      ['unknown hmac algorithm', { ...valid, scheme: 'hmac', options: { algorithm: 'md5' } }, 400, 'options.algorithm'],
      ['tolerance of zero', { ...valid, toleranceSeconds: 0 }, 400, 'toleranceSeconds'],
      ['a taken slug', { ...valid, slug: 'std' }, 409, 'slug'],
    ];
    for (const [what, body, status, field] of cases) {
      const response = await h.api('/api/webhook-sources', { method: 'POST', body });
      assert.equal(response.status, status, `${what}: ${JSON.stringify(response.body)}`);
      assert.equal(response.body.field, field, what);
      assert.ok(response.body.error, what);
    }
    const malformed = await fetch(`${h.server.url}/api/webhook-sources`, {
      method: 'POST',
      headers: { cookie: h.cookie, origin: h.server.url, 'content-type': 'application/json' },
      body: '{"name":',
    });
    assert.equal(malformed.status, 400);
    assert.equal((await h.api('/api/webhook-sources/bad-input')).status, 404, 'nothing was created');
    const patch = await h.api('/api/webhook-sources/std', { method: 'PATCH', body: { integration: 'nope' } });
    assert.deepEqual([patch.status, patch.body.field], [400, 'integration']);
    const unknownField = await h.api('/api/webhook-sources/std', { method: 'PATCH', body: { secret: 'x' } });
    assert.equal(unknownField.status, 400);
    assert.equal((await h.api('/api/webhook-sources/std')).body.source.integration, 'app', 'unchanged');
    const badRange = await h.api('/api/webhook-sources/std/counts?from=yesterday');
    assert.deepEqual([badRange.status, badRange.body.field], [400, 'from']);
    const badState = await h.api('/api/webhook-events?state=lost');
    assert.deepEqual([badState.status, badState.body.field], [400, 'state']);
    const badCursor = await h.api('/api/webhook-events?cursor=nonsense');
    assert.deepEqual([badCursor.status, badCursor.body.field], [400, 'cursor']);
  });
});

describe('forward failures, replay and the explorer', () => {
  test('a forward the application keeps failing is dead-lettered and shown failed; replay re-sends it with the same key, or a new one', async () => {
    await h.createSource({
      name: 'Failing',
      slug: 'failing',
      integration: 'app',
      forwardPath: '/hooks/failing',
      scheme: 'standard',
      secretEnv: 'BREAKWATER_SECRET_WH_STD_SECRET',
    });
    h.receiver.failing.add('/app/hooks/failing');
    const marker = randomUUID();
    const body = event(marker);
    const id = `msg_${marker}`;
    const accepted = await h.deliver(
      'failing',
      body,
      standardHeaders(SECRETS.BREAKWATER_SECRET_WH_STD_SECRET, id, body),
    );
    assert.equal(accepted.status, 200);
    const failed = await eventually('the event to fail', async () => {
      const { body: e } = await h.api(`/api/webhook-events/${accepted.body.id}`);
      return e.state === 'failed' ? e : undefined;
    });
    assert.equal(failed.job.state, 'dead');
    assert.equal(failed.job.attempts, 3, 'the jobs retry schedule (two backoffs, three attempts)');
    assert.equal(h.receiver.carrying(marker).length, 3);
    assert.equal((await h.counts('failing')).failed, 1);
    const listed = await h.api('/api/webhook-events?source=failing&state=failed');
    assert.deepEqual(
      listed.body.events.map((e: { id: string }) => e.id),
      [accepted.body.id],
    );

    h.receiver.failing.delete('/app/hooks/failing');
    h.receiver.holding.add('/app/hooks/failing');
    const replay = await h.api(`/api/webhook-events/${accepted.body.id}/replay`, { method: 'POST', body: {} });
    assert.equal(replay.status, 202, JSON.stringify(replay.body));
    assert.equal(replay.body.idempotencyKey, id, 'a replay is the same event');
    await eventually('the replayed forward to reach the application', () =>
      h.receiver.carrying(marker).length === 4 ? true : undefined,
    );
    const inFlight = await h.api(`/api/webhook-events/${accepted.body.id}/replay`, { method: 'POST', body: {} });
    assert.equal(inFlight.status, 409, 'one forward of an event at a time');
    h.receiver.release();
    await eventually('the replayed event to be forwarded', async () => {
      const { body: e } = await h.api(`/api/webhook-events/${accepted.body.id}`);
      return e.state === 'forwarded' ? e : undefined;
    });
    const sent = h.receiver.carrying(marker);
    assert.equal(sent.length, 4);
    assert.equal(sent[3].headers['idempotency-key'], id);
    assert.equal(sent[3].headers['webhook-id'], id);
    const counts = await h.counts('failing');
    assert.deepEqual([counts.received, counts.failed, counts.forwarded], [1, 1, 1]);

    const fresh = await h.api(`/api/webhook-events/${accepted.body.id}/replay`, {
      method: 'POST',
      body: { idempotency: 'new' },
    });
    assert.equal(fresh.status, 202);
    assert.notEqual(fresh.body.idempotencyKey, id);
    await eventually('the forward with a new key', () =>
      h.receiver.carrying(marker).some((r) => r.headers['idempotency-key'] === fresh.body.idempotencyKey)
        ? true
        : undefined,
    );
    assert.equal((await h.api('/api/webhook-events/nope/replay', { method: 'POST', body: {} })).status, 404);
  });

  test('the explorer filters by source, state and text, and pages by cursor', async () => {
    const marker = randomUUID();
    for (let i = 0; i < 3; i++) {
      const body = event(`${marker}-${i}`);
      assert.equal(
        (
          await h.deliver(
            'std',
            body,
            standardHeaders(SECRETS.BREAKWATER_SECRET_WH_STD_SECRET, `msg_${marker}-${i}`, body),
          )
        ).status,
        200,
      );
    }
    const found = await h.api(`/api/webhook-events?q=${marker}&limit=2`);
    assert.equal(found.status, 200);
    assert.equal(found.body.events.length, 2);
    assert.equal(found.body.events[0].dedupKey, `msg_${marker}-2`, 'newest first');
    assert.equal(found.body.events[0].source.slug, 'std');
    const next = await h.api(`/api/webhook-events?q=${marker}&limit=2&cursor=${found.body.nextCursor}`);
    assert.deepEqual(
      next.body.events.map((e: { dedupKey: string }) => e.dedupKey),
      [`msg_${marker}-0`],
    );
    assert.equal(next.body.nextCursor, null);
    const other = await h.api(`/api/webhook-events?q=${marker}&source=stripe`);
    assert.deepEqual(other.body.events, []);
    const inspected = await h.api(`/api/webhook-events/${found.body.events[0].id}`);
    assert.equal(inspected.body.headers['webhook-id'], `msg_${marker}-2`);
    assert.equal((await h.api('/api/webhook-events/not-an-event')).status, 404);
  });

  test('bulk replay of what the filter matches: a dry run counts, in-flight forwards are skipped, bad input queues nothing', async () => {
    await h.createSource({
      name: 'Bulk',
      slug: 'bulk',
      integration: 'app',
      forwardPath: '/hooks/bulk',
      scheme: 'standard',
      secretEnv: 'BREAKWATER_SECRET_WH_STD_SECRET',
    });
    const path = '/app/hooks/bulk';
    const send = async (marker: string) => {
      const body = event(marker);
      const answer = await h.deliver(
        'bulk',
        body,
        standardHeaders(SECRETS.BREAKWATER_SECRET_WH_STD_SECRET, `msg_${marker}`, body),
      );
      assert.equal(answer.status, 200);
    };
    h.receiver.failing.add(path);
    const failed = Array.from({ length: 5 }, () => randomUUID());
    for (const marker of failed) await send(marker);
    await eventually('five failed events', async () => {
      const { body } = await h.api('/api/webhook-events?source=bulk&state=failed');
      return body.events.length === 5 ? true : undefined;
    });
    h.receiver.failing.delete(path);
    h.receiver.holding.add(path);
    const held = randomUUID();
    await send(held);
    await eventually('the sixth forward in flight', () => (h.receiver.carrying(held).length ? true : undefined));
    const sentBefore = h.receiver.requests.length;

    const bulk = (body: unknown) => h.api('/api/webhook-events/replay', { method: 'POST', body });
    const preview = await bulk({ filter: { source: 'bulk' }, dryRun: true });
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    assert.deepEqual(
      [preview.body.matched, preview.body.inFlight, preview.body.replayable, preview.body.more],
      [6, 1, 5, false],
    );
    const onlyFailed = await bulk({ filter: { source: 'bulk', state: 'failed' }, dryRun: true, limit: 2 });
    assert.deepEqual([onlyFailed.body.matched, onlyFailed.body.more], [2, true], 'the newest 2 of 5, and more');

    const badCases: [unknown, string][] = [
      [{ filter: { source: 'bulk', sourse: 'x' } }, 'sourse'],
      [{ filter: { state: 'lost' } }, 'filter.state'],
      [{ filter: { from: 'yesterday' } }, 'filter.from'],
      [{ limit: 0 }, 'limit'],
      [{ limit: 1001 }, 'limit'],
      [{ idempotency: 'maybe' }, 'idempotency'],
      [{ dryrun: true }, 'dryrun'],
    ];
    for (const [body, named] of badCases) {
      const answer = await bulk(body);
      assert.equal(answer.status, 400, `${named}: ${JSON.stringify(answer.body)}`);
      assert.match(`${answer.body.field} ${answer.body.error}`, new RegExp(named.replace('.', '\\.')));
    }
    const malformed = await fetch(`${h.server.url}/api/webhook-events/replay`, {
      method: 'POST',
      headers: { cookie: h.cookie, origin: h.server.url, 'content-type': 'application/json' },
      body: '{"filter": ',
    });
    assert.equal(malformed.status, 400);
    assert.equal(
      (await fetch(`${h.server.url}/api/webhook-events/replay`, { method: 'POST', body: '{}' })).status,
      401,
    );
    assert.equal(h.receiver.requests.length, sentBefore, 'no dry run or bad request queued anything');

    const replay = await bulk({ filter: { source: 'bulk' } });
    assert.equal(replay.status, 202, JSON.stringify(replay.body));
    assert.deepEqual([replay.body.replayed, replay.body.inFlight, replay.body.noDestination], [5, 1, 0]);
    h.receiver.release();
    await eventually('all six forwarded', async () => {
      const { body } = await h.api('/api/webhook-events?source=bulk&state=forwarded');
      return body.events.length === 6 ? true : undefined;
    });
    for (const marker of failed) {
      const sent = h.receiver.carrying(marker);
      assert.equal(sent.length, 4, 'three failed attempts, then the replay');
      assert.equal(sent[3].headers['idempotency-key'], `msg_${marker}`, "each replay keeps its event's key");
    }
    assert.equal(h.receiver.carrying(held).length, 1, 'the forward in flight was not queued a second time');
    const counts = await h.counts('bulk');
    assert.deepEqual([counts.received, counts.failed, counts.forwarded], [6, 5, 6]);
  });
});

describe('load', () => {
  test('1000 deliveries at 50 concurrent with 10% duplicates end in exactly the unique count forwarded, each once', async () => {
    await h.createSource({
      name: 'Load',
      slug: 'load',
      integration: 'app',
      forwardPath: '/hooks/load',
      scheme: 'standard',
      secretEnv: 'BREAKWATER_SECRET_WH_STD_SECRET',
    });
    const run = randomUUID().slice(0, 8);
    const unique = Array.from({ length: 900 }, (_, i) => `msg_${run}_${i}`);
    // Every tenth delivery repeats the one just before it, so an original and its duplicate are in flight together.
    const deliveries: string[] = [];
    unique.forEach((id, i) => {
      deliveries.push(id);
      if (i % 9 === 8) deliveries.push(id);
    });
    assert.equal(deliveries.length, 1000);
    const answers: { status: number; duplicate: boolean }[] = [];
    let resent = 0;
    // As senders do, a delivery whose answer was lost (a reset connection on a loaded machine) is sent again;
    // if the first one was stored, the second is a duplicate, which is what deduplication is for.
    const deliver = async (
      id: string,
      body: string,
      tries = 3,
    ): Promise<{ status: number; body: { duplicate: boolean } }> => {
      try {
        return await h.deliver('load', body, standardHeaders(SECRETS.BREAKWATER_SECRET_WH_STD_SECRET, id, body));
      } catch (error) {
        if (tries <= 1) throw error;
        resent++;
        return deliver(id, body, tries - 1);
      }
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < deliveries.length) {
          const id = deliveries[next++];
          const { status, body: answer } = await deliver(id, JSON.stringify({ type: 'load', run, id }));
          answers.push({ status, duplicate: answer.duplicate });
        }
      }),
    );
    assert.equal(answers.length, 1000);
    assert.deepEqual(
      answers.filter((a) => a.status !== 200),
      [],
    );
    const duplicates = answers.filter((a) => a.duplicate).length;
    assert.ok(duplicates >= 100 && duplicates <= 100 + resent, `${duplicates} duplicates, ${resent} resent`);

    const loadKeys = () => [...h.receiver.effectsByKey()].filter(([key]) => key.startsWith(`msg_${run}_`));
    await eventually('every unique event forwarded', () => (loadKeys().length === 900 ? true : undefined), 300_000);
    await eventually('the counts to show 900 forwarded', async () =>
      (await h.counts('load')).forwarded === 900 ? true : undefined,
    );
    assert.deepEqual(
      loadKeys().filter(([, count]) => count !== 1),
      [],
      'each forwarded exactly once',
    );
    assert.deepEqual(
      loadKeys()
        .map(([key]) => key)
        .sort(),
      [...unique].sort(),
    );
    const counts = await h.counts('load');
    assert.equal(counts.received, 900);
    assert.equal(counts.duplicate, duplicates);
    assert.equal(counts.forwarded, 900);
    assert.equal(counts.failed, 0);
  });
});

describe('secrets', () => {
  test('no secret value appears in any API answer or in the server log', async () => {
    const answers = await Promise.all(
      ['/api/webhook-sources', '/api/webhook-sources/std', '/api/webhook-events?limit=200'].map((path) => h.api(path)),
    );
    const seen = JSON.stringify(answers) + h.server.output();
    for (const [name, secret] of Object.entries(SECRETS)) assert.ok(!seen.includes(secret), `${name} leaked`);
    assert.ok(seen.includes('BREAKWATER_SECRET_WH_STD_SECRET'), 'the variable name is shown');
  });
});
