// Fails when the app's modules import each other in a cycle (docs/ARCHITECTURE.md: no import cycles). Follows
// static `import` and `export ... from` of project files, type-only ones included (a cycle of types is
// still two modules that cannot be understood apart); `import()` is left out, as it is how start-up code
// defers loading on purpose. Usage: tsx scripts/check-cycles.ts [roots...]
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const SKIPPED = new Set(['node_modules', '.next', 'generated', 'e2e', 'test-results', 'playwright-report']);
const IMPORT = /^\s*(?:import|export)\s+(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;

function sourceFiles(path: string, into: string[] = []): string[] {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path)) if (!SKIPPED.has(name)) sourceFiles(join(path, name), into);
  } else if (/\.tsx?$/.test(path) && !path.endsWith('.d.ts')) into.push(path);
  return into;
}

function resolveImport(from: string, specifier: string): string | undefined {
  let base: string;
  if (specifier.startsWith('@/')) base = join(ROOT, specifier.slice(2));
  else if (specifier.startsWith('.')) base = resolve(dirname(from), specifier);
  else return undefined;
  const candidates = [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')];
  return candidates.find((path) => /\.tsx?$/.test(path) && existsSync(path) && statSync(path).isFile());
}

/** Every module's project imports. */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = new Set<string>();
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolveImport(file, match[1]);
      if (target) targets.add(target);
    }
    graph.set(file, [...targets]);
  }
  return graph;
}

/** The strongly connected components of more than one module, or of one importing itself (Tarjan). */
export function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (node: string) => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node)!, index.get(target)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || graph.get(node)?.includes(node)) cycles.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const roots =
    process.argv.length > 2
      ? process.argv.slice(2)
      : ['lib', 'app', 'components', 'dataplane', 'server.ts', 'proxy.ts', 'instrumentation.ts'];
  const files = roots
    .map((root) => join(ROOT, root))
    .filter((path) => existsSync(path))
    .flatMap((path) => sourceFiles(path));
  const cycles = cyclesOf(importGraph(files));
  for (const cycle of cycles) console.error(`import cycle: ${cycle.map((file) => relative(ROOT, file)).join(' <-> ')}`);
  if (cycles.length) process.exit(1);
  console.log(`no import cycle among ${files.length} modules`);
}
