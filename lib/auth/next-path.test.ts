import assert from 'node:assert/strict';
import { test } from 'node:test';
import { safeNextPath } from './next-path';

test('sign-in `next` keeps paths on this site and sends everything else to /', () => {
  for (const kept of [
    '/',
    '/tokens',
    '/explorer?integration=pay&status=5xx',
    '/integrations/pay#latency',
    '/a/b/../c',
  ]) {
    assert.equal(safeNextPath(kept), kept, kept);
  }
  const refused = [
    '//evil.example/',
    '/\\evil.example/',
    '\\\\evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\u0000x',
    '/\u007fx',
    'https://evil.example/',
    'javascript:alert(1)',
    'tokens',
    '',
    undefined,
    ['/tokens', '//evil.example'],
  ];
  for (const next of refused) assert.equal(safeNextPath(next), '/', JSON.stringify(next));
});
