import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cyclesOf, importGraph } from './check-cycles';

test('a cycle through a multi-line import and a re-export is found; a dynamic import is not one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cycles-'));
  try {
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const index = file('index.ts', "export { listen } from './listener';\nexport const state = 1;\n");
    const listener = file('listener.ts', "import {\n  state,\n} from './index';\nexport const listen = state;\n");
    const start = file(
      'start.ts',
      "import { state } from './index';\nvoid import('./late');\nexport const s = state;\n",
    );
    const late = file('late.ts', "import { s } from './start';\nexport const l = s;\n");
    const graph = importGraph([index, listener, start, late]);
    assert.deepEqual(cyclesOf(graph), [[index, listener].sort()]);
    writeFileSync(listener, 'export const listen = 1;\n');
    assert.deepEqual(cyclesOf(importGraph([index, listener, start, late])), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
