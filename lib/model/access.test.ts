import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRole, roleAtLeast } from './access';

test('each role includes the ones below it and none above', () => {
  assert.equal(roleAtLeast('admin', 'viewer'), true);
  assert.equal(roleAtLeast('editor', 'operator'), true);
  assert.equal(roleAtLeast('operator', 'editor'), false);
  assert.equal(roleAtLeast('viewer', 'operator'), false);
  assert.equal(roleAtLeast('viewer', 'viewer'), true);
});

test('only the four role names are roles', () => {
  assert.equal(isRole('operator'), true);
  assert.equal(isRole('owner'), false);
  assert.equal(isRole(undefined), false);
});
