// The layout of DESIGN.md §3 as a checked fact: each folder of src/ may import only the folders the
// table allows (data flows one way: scenario → run → devices, faults, transport → history → check →
// report), and no module imports itself in a circle, directly or through others.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './cli-helpers.ts';

/** A layer is a folder of src/ or one of its top-level modules. */
const ALLOWED_IMPORTS: Record<string, readonly string[]> = {
  'adapter.ts': [],
  'errors.ts': [],
  // the project config's type names the reporters and the metrics a budget may limit
  'config.ts': ['report', 'scenario'],
  sim: [],
  protocol: ['adapter.ts'],
  // the parsed scenario is the input every later stage reads: its types (fault specs, settings) may be imported downstream
  scenario: ['protocol'],
  history: ['sim', 'adapter.ts', 'scenario'],
  device: ['sim', 'history', 'adapter.ts', 'protocol', 'errors.ts'],
  // the http transport serves the run's own server on node:http exactly as `sync-chaos server` does
  transport: ['sim', 'history', 'adapter.ts', 'protocol', 'scenario', 'errors.ts', 'serve'],
  // a fault acts on a device's lifecycle (kill, suspend, backup, upgrade)
  faults: ['sim', 'history', 'adapter.ts', 'protocol', 'scenario', 'device', 'errors.ts'],
  reference: ['adapter.ts', 'protocol'],
  check: ['history', 'adapter.ts', 'scenario'],
  report: ['history', 'check', 'adapter.ts', 'protocol', 'scenario', 'errors.ts'],
  // `sync-chaos server` serves the reference server unless given another
  serve: ['adapter.ts', 'protocol', 'reference', 'errors.ts'],
  conformance: ['adapter.ts', 'protocol', 'errors.ts'],
  run: ['scenario', 'sim', 'transport', 'device', 'faults', 'reference', 'history', 'check', 'adapter.ts', 'protocol', 'errors.ts'],
  shrink: ['scenario', 'run', 'check', 'adapter.ts', 'errors.ts'],
  cli: ['*'],
  'index.ts': ['*'],
};

const SRC = join(REPO_ROOT, 'src');

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.(ts|mts|mjs)$/.test(name) ? [path] : [];
  });
}

/** The modules of ours a file imports, statically, dynamically or as types, as paths relative to src/. */
function importsOf(file: string, text: string): string[] {
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm)].map((match) => match[1] as string);
  return specifiers.map((specifier) => relative(SRC, resolve(dirname(file), specifier)));
}

function layerOf(path: string): string {
  return path.split('/')[0] as string;
}

/** Every import a layer makes that its row does not allow: `from → to (file)`. */
function layeringOffences(files: ReadonlyMap<string, readonly string[]>): string[] {
  const offences: string[] = [];
  for (const [file, imports] of files) {
    const from = layerOf(file);
    const allowed = ALLOWED_IMPORTS[from];
    for (const target of imports) {
      const to = layerOf(target);
      if (to === from || allowed?.includes('*') || allowed?.includes(to)) continue;
      offences.push(`${from} → ${to} (${file} imports ${target})`);
    }
  }
  return offences.sort();
}

/** The import circles among the files, each as the files around it (depth-first search). */
function importCircles(files: ReadonlyMap<string, readonly string[]>): string[][] {
  const circles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of files.get(file) ?? []) {
      if (!files.has(next)) continue;
      if (state.get(next) === 'open') circles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...files.keys()].sort()) if (!state.has(file)) visit(file);
  return circles;
}

function srcImports(): Map<string, string[]> {
  return new Map(sourceFiles(SRC).map((path) => [relative(SRC, path), importsOf(path, readFileSync(path, 'utf8'))]));
}

describe('layering', () => {
  it('gives every folder of src/ a row of allowed imports', () => {
    const layers = new Set([...srcImports().keys()].map(layerOf));
    expect([...layers].filter((layer) => !(layer in ALLOWED_IMPORTS))).toEqual([]);
  });

  it('finds no import across folders that DESIGN.md §3 does not allow', () => {
    expect(layeringOffences(srcImports())).toEqual([]);
  });

  it('finds no module of src/ that imports itself in a circle', () => {
    expect(importCircles(srcImports())).toEqual([]);
  });

  it('catches a planted bad import and a planted circle', () => {
    const planted = new Map([
      ['reference/client/client.ts', ['sim/rng.ts', 'adapter.ts']],
      ['check/a.ts', ['check/b.ts']],
      ['check/b.ts', ['check/a.ts']],
    ]);
    expect(layeringOffences(planted)).toEqual(['reference → sim (reference/client/client.ts imports sim/rng.ts)']);
    expect(importCircles(planted)).toEqual([['check/a.ts', 'check/b.ts', 'check/a.ts']]);
  });
});
