import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { test } from 'node:test';

// components/ is laid out by feature (docs/ARCHITECTURE.md): the shared folders import no feature, and a
// feature imports no other feature, so a feature can change (or go) without touching its neighbours.
const root = join(import.meta.dirname, '..');
const components = join(root, 'components');
const SHARED = ['ui', 'charts', 'filters', 'shell'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** The features a file imports, by `@/components/features/<name>` or a relative path into features/. */
function featuresImported(file: string): string[] {
  const specifiers = [...readFileSync(file, 'utf8').matchAll(/from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
  return specifiers.flatMap((spec) => {
    const target = spec.startsWith('@/')
      ? join(root, spec.slice(2))
      : spec.startsWith('.')
        ? join(file, '..', spec)
        : '';
    const parts = relative(components, target).split(sep);
    return parts[0] === 'features' && parts[1] ? [parts[1]] : [];
  });
}

test('components/ holds only the shared folders and features/', () => {
  const top = readdirSync(components).sort();
  assert.deepEqual(top, [...SHARED, 'features'].sort());
});

test('the shared folders import no feature', () => {
  for (const folder of SHARED)
    for (const file of sources(join(components, folder)))
      assert.deepEqual(featuresImported(file), [], relative(root, file));
});

test('no feature imports another feature', () => {
  const features = readdirSync(join(components, 'features'));
  assert.ok(features.length > 1);
  for (const feature of features)
    for (const file of sources(join(components, 'features', feature)))
      for (const imported of featuresImported(file)) assert.equal(imported, feature, relative(root, file));
});

test('the check sees imports into features/, relative and absolute', () => {
  assert.deepEqual(featuresImported(join(components, 'features', 'jobs', 'JobDetail.tsx')), ['jobs']);
  assert.ok(featuresImported(join(root, 'app', '(app)', 'jobs', 'page.tsx')).includes('jobs'));
});
