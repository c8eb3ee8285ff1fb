// sync-chaos in an app team's own repository, as they would use it: the packed package installed
// into a fresh CommonJS app (`npm init -y`), an adapter in TypeScript whose types come from
// 'sync-chaos' and type-check, a run through the project config, and `sync-chaos init` then `run`.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './cli-helpers.ts';
import { pack, scratchApp, scratchFolder, sh, SHORT_SCENARIO, type Packed } from './package-helpers.ts';

const TSC = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
/** A real bug planted in the adapter: a delete is saved on the device and never queued, so the server never hears of it. */
const DELETE_NEVER_QUEUED = "this.env.db.prepare('UPDATE records SET deleted = 1 WHERE id = ?').run(id);";

let folder: string;
let packed: Packed;
let app: string;

beforeAll(() => {
  folder = scratchFolder();
  packed = pack(folder);
  app = scratchApp(join(folder, 'app'));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--save-dev', packed.tarball], { cwd: app, stdio: 'ignore' });
}, 1_200_000);

afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('the packed package', () => {
  it('ships the built CLI, its types, the scenarios, the schema and a licence, and no tests, bench, CI or fixtures', () => {
    const paths = packed.files.map((file) => file.path);
    for (const path of ['LICENSE', 'bin/sync-chaos', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/run/pool-worker.mjs', 'scenarios/baseline.yaml', 'scenarios/http/baseline.yaml', 'schema/scenario.schema.json', 'templates/adapter.ts']) {
      expect(paths).toContain(path);
    }
    expect(paths.filter((path) => /^(src|test|bench|\.ci|fixtures|examples)\//.test(path) || path.endsWith('.tsbuildinfo'))).toEqual([]);
  });
});

describe('in a CommonJS app made by npm init -y', () => {
  it('type-checks a TypeScript adapter importing its types from sync-chaos, and passes through the config file (exit 0)', async () => {
    expect(JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')).type).toBe('commonjs');
    mkdirSync(join(app, 'chaos'), { recursive: true });
    writeFileSync(join(app, 'chaos/adapter.ts'), readFileSync(join(REPO_ROOT, 'templates/adapter.ts'), 'utf8'));
    writeFileSync(join(app, 'chaos/short.yaml'), SHORT_SCENARIO);
    writeFileSync(
      join(app, 'sync-chaos.config.ts'),
      `import { defineConfig } from 'sync-chaos';\n\nexport default defineConfig({ scenarios: ['chaos/*.yaml'], client: './chaos/adapter.ts', seeds: 2, workers: 2, reporters: ['console', 'junit'] });\n`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true }, include: ['chaos', 'sync-chaos.config.ts'] }),
    );
    const typecheck = await sh(`node ${TSC} -p .`, app);
    expect(typecheck.stdout + typecheck.stderr).toBe('');
    expect(typecheck.code).toBe(0);

    const run = await sh('npx sync-chaos run', app);
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.stdout).toMatch(/2 passed, 0 failed \(2 cases\)/);
    expect(run.code).toBe(0);
    expect(readFileSync(join(app, 'reports/latest/junit.xml'), 'utf8')).toContain('app-short');
  }, 600_000);

  it('fails the same run (exit 1) once a bug is planted in that adapter', async () => {
    const adapter = readFileSync(join(app, 'chaos/adapter.ts'), 'utf8');
    const deleting = "this.write({ ...this.live(entity, id), deleted: 1 }, 'delete', {});";
    expect(adapter).toContain(deleting);
    writeFileSync(join(app, 'chaos/adapter.ts'), adapter.replace(deleting, DELETE_NEVER_QUEUED));
    const run = await sh('npx sync-chaos run --reporter console', app);
    expect(run.stdout).toMatch(/FAIL {2}app-short/);
    expect(run.code).toBe(1);
  }, 600_000);

  it('sets a new app up with sync-chaos init, whose run then passes the standard suite (exit 0), and refuses to overwrite it', async () => {
    const second = scratchApp(join(folder, 'second-app'), join(app, 'node_modules'));
    const init = await sh('npx sync-chaos init', second);
    expect(init.code).toBe(0);
    for (const path of ['sync-chaos/adapter.ts', 'sync-chaos/offline.yaml', 'sync-chaos.config.ts', '.github/workflows/sync-chaos.yml']) {
      expect(existsSync(join(second, path)), path).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(second, 'package.json'), 'utf8')).scripts['sync-chaos']).toBe('sync-chaos run');
    const schemaLine = readFileSync(join(second, 'sync-chaos/offline.yaml'), 'utf8').split('\n')[0]!;
    expect(existsSync(join(second, 'sync-chaos', schemaLine.replace('# yaml-language-server: $schema=', '')))).toBe(true);

    const again = await sh('npx sync-chaos init', second);
    expect(again.stderr).toMatch(/would overwrite sync-chaos\/adapter.ts/);
    expect(again.code).toBe(2);

    const run = await sh('npx sync-chaos run --reporter console', second);
    expect(run.stdout).toMatch(/ 0 failed \(11 cases\)/);
    expect(run.code).toBe(0);
  }, 1_200_000);
});
