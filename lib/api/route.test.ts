import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AlertConflictError } from '@/lib/alerts';
import { createApiToken } from '@/lib/auth';
import { applyMigrations, type Db, getDb } from '@/lib/db';
import { IntegrationConflictError, UnsafePathError } from '@/lib/integrations';
import { ReplayRefusedError, UnknownIntegrationError } from '@/lib/jobs';
import { DomainError, TOKEN_SCOPES } from '@/lib/model';
import { BadCursorError } from '@/lib/queries';
import { SecretRoleConflictError } from '@/lib/secret-roles';
import { SecretNotSetError } from '@/lib/secrets';
import { SyncConflictError, SyncInputError } from '@/lib/syncs';
import { ReplayConflictError, SourceInputError } from '@/lib/webhooks';
import { createTestDatabase, type TestDatabase } from '@/test/support/database';
import { secondCopy } from '@/test/support/second-copy';
import { authed } from './route';

// authed is the one place a DomainError becomes HTTP: routes throw (or let the domain throw) and never
// catch one themselves. Run in process on a real database, with a real API token.
let database: TestDatabase;
let db: Db;
let token: string;
const previousUrl = process.env.DATABASE_URL;

before(async () => {
  database = await createTestDatabase();
  await applyMigrations(database.url);
  process.env.DATABASE_URL = database.url;
  db = getDb();
  const user = await db.user.create({
    data: {
      username: 'route-test',
      passwordHash: 'unused',
      memberships: { create: { workspaceId: 'default', role: 'admin' } },
    },
  });
  token = (await createApiToken(db, user.id, 'default', { name: 'route test', scopes: TOKEN_SCOPES })).token;
});

after(async () => {
  await db.$disconnect();
  process.env.DATABASE_URL = previousUrl;
  await database.drop();
});

/** What a route answers when its handler throws `error`. */
async function answerTo(error: unknown) {
  const route = authed(async () => {
    throw error;
  });
  const response = await route(
    new Request('http://breakwater.test/api/anything', { headers: { authorization: `Bearer ${token}` } }),
    {},
  );
  return { status: response.status, body: await response.json(), requestId: response.headers.get('x-request-id') };
}

test('every domain error is answered with its status, its message and the field at fault', async () => {
  const cases: [DomainError, number, string | undefined][] = [
    [new IntegrationConflictError('an integration with slug "pay" already exists'), 409, 'slug'],
    [new AlertConflictError('"errors" is already taken'), 409, 'name'],
    [new SyncConflictError('a sync with slug "feed" already exists'), 409, 'slug'],
    [new SyncInputError('invalid integration: no integration "nope"', 'integration'), 400, 'integration'],
    [new UnknownIntegrationError('nope'), 400, 'integration'],
    [new UnsafePathError('path segment ".." is not allowed'), 400, 'path'],
    [
      new UnsafePathError('invalid items.2.path: path segment ".." is not allowed', 'items.2.path'),
      400,
      'items.2.path',
    ],
    [new ReplayRefusedError('call "c1" not found', 404), 404, undefined],
    [new ReplayConflictError("the event's forward job j1 is still running", 'in_flight'), 409, undefined],
    [new BadCursorError('is not a cursor this API returned'), 400, 'cursor'],
    [new SecretNotSetError('BREAKWATER_SECRET_PAY'), 503, 'secretEnv'],
  ];
  for (const [error, status, field] of cases) {
    const { status: answered, body } = await answerTo(error);
    assert.equal(answered, status, error.name);
    assert.equal(body.error, error.message, error.name);
    assert.equal(body.field, field, error.name);
  }
});

test('input errors found against stored state name the field as a validation error does, with issues', async () => {
  const conflict = await answerTo(
    new SecretRoleConflictError(
      'sinkSecretEnv',
      'BREAKWATER_SECRET_X',
      'the verification secret of webhook source "s"',
    ),
  );
  assert.equal(conflict.status, 400);
  assert.equal(conflict.body.field, 'sinkSecretEnv');
  assert.match(conflict.body.error, /^invalid sinkSecretEnv: the secret BREAKWATER_SECRET_X is already used as/);
  assert.deepEqual(
    conflict.body.issues.map((issue: { field: string }) => issue.field),
    ['sinkSecretEnv'],
  );
  const source = await answerTo(new SourceInputError(409, 'slug', 'a webhook source "s" already exists'));
  assert.equal(source.status, 409);
  assert.deepEqual(source.body, {
    error: 'invalid slug: a webhook source "s" already exists',
    field: 'slug',
    issues: [{ field: 'slug', message: 'a webhook source "s" already exists' }],
  });
});

test('a DomainError from another copy of lib/model, as another Next bundle holds, is answered the same', async () => {
  const copy = await secondCopy<typeof import('@/lib/model')>('lib/model/errors.ts');
  const error = new copy.DomainError('the thing is gone', 410, 'gone', 'thing');
  assert.equal(error instanceof DomainError, false);
  const { status, body } = await answerTo(error);
  assert.equal(status, 410);
  assert.deepEqual(body, { error: 'the thing is gone', field: 'thing' });
});

test('anything else is a 500 naming a request id, never the message or a stack', async () => {
  const { status, body, requestId } = await answerTo(new Error('database exploded at /srv/secret/path'));
  assert.equal(status, 500);
  assert.ok(requestId);
  assert.equal(body.error, `internal error (request id ${requestId})`);
  const lookalike = await answerTo({ status: 400, code: 'bad', message: 'not a DomainError', field: 'x' });
  assert.equal(lookalike.status, 500);
});
