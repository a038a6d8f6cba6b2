import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePolicy } from '@/lib/resilience';
import { routeTemplate } from './paths';
import { OTHER_ROUTE, RouteCap, routeOf, templateRoute } from './routes';

test('the default templater folds ids, hashes, e-mails and mixed tokens, keeps names and versions', () => {
  const routes = new Set(Array.from({ length: 100 }, (_, i) => routeTemplate(['geo', 'v1', 'uxcount', `p${i}`])));
  assert.deepEqual([...routes], ['/geo/v1/uxcount/:id']);
  assert.equal(routeTemplate(['v2beta1', 'users', 'ada@example.com', 'orders']), '/v2beta1/users/:email/orders');
  assert.equal(routeTemplate(['blobs', 'da39a3ee5e6b4b0d3255bfef95601890afd80709']), '/blobs/:id');
  assert.equal(routeTemplate(['reports', '2024-05-01']), '/reports/:id');
  assert.equal(routeTemplate(['tokens', 'QmFzZTY0RW5jb2RlZFRva2Vu']), '/tokens/:id');
  assert.equal(routeTemplate(['v1.2', 'customers', 'search']), '/v1.2/customers/search');
});

test("an integration's templates win over the default, in order, with :name and a final *", () => {
  const templates = ['/oauth2/token', '/files/*', '/users/:user/orders'];
  assert.equal(templateRoute(['oauth2', 'token'], templates), '/oauth2/token');
  assert.equal(routeTemplate(['oauth2', 'token']), '/:id/token');
  assert.equal(templateRoute(['files', 'a', 'b', 'c.txt'], templates), '/files/*');
  assert.equal(templateRoute(['files'], templates), '/files');
  assert.equal(templateRoute(['users', 'ada', 'orders'], templates), '/users/:user/orders');
  assert.equal(templateRoute(['users', 'ada', 'orders', '7'], templates), '/users/ada/orders/:id');
});

test('the policy schema refuses a malformed template, naming the field', () => {
  assert.throws(
    () => parsePolicy({ routes: { templates: ['/files/*/x'] } }),
    (error: { issues: { path: PropertyKey[] }[] }) => error.issues[0].path.join('.') === 'routes.templates.0',
  );
  assert.throws(() => parsePolicy({ routes: { templates: ['users'] } }));
  assert.throws(() => parsePolicy({ routes: { maxRoutes: 0 } }));
  assert.deepEqual(parsePolicy({}).routes, { templates: [], maxRoutes: 200 });
});

test('past the cap, new routes count as other while known ones keep their names', () => {
  const cap = new RouteCap(2);
  assert.equal(cap.label('/a'), '/a');
  assert.equal(cap.label('/b'), '/b');
  assert.equal(cap.label('/c'), OTHER_ROUTE);
  assert.equal(cap.label('/a'), '/a');
  assert.equal(cap.label('/d'), OTHER_ROUTE);
});

test('routeOf caps per integration, keeps the template for cache rules, and restarts when the cap changes', () => {
  const policy = { templates: [], maxRoutes: 1 };
  assert.deepEqual(routeOf('int-a', policy, ['users', '1']), { route: '/users/:id', label: '/users/:id' });
  assert.deepEqual(routeOf('int-a', policy, ['orders']), { route: '/orders', label: OTHER_ROUTE });
  assert.deepEqual(routeOf('int-b', policy, ['orders']), { route: '/orders', label: '/orders' });
  assert.deepEqual(routeOf('int-a', { templates: [], maxRoutes: 2 }, ['orders']), {
    route: '/orders',
    label: '/orders',
  });
});
