// The project config and what `run` makes of it: globs expanded in-process against the config's
// folder, the shipped suite resolved against the package, files given replacing the config's
// scenarios, flags given overriding its settings, and a config that is not one named as bad input.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProjectConfig, resolveRun, SUITES } from '../src/cli/project-config.ts';
import { loadScenarioFile } from '../src/scenario/index.ts';
import { REPO_ROOT } from './cli-helpers.ts';

const app = mkdtempSync(join(tmpdir(), 'sync-chaos-config-'));
afterAll(() => rmSync(app, { recursive: true, force: true }));
mkdirSync(join(app, 'chaos'));
for (const name of ['b.yaml', 'a.yaml', 'notes.txt']) writeFileSync(join(app, 'chaos', name), 'name: x\n');

describe('the project config', () => {
  it('is found in the folder as sync-chaos.config.json, its globs expanded there in sorted order, its settings spelled as flags', async () => {
    writeFileSync(join(app, 'sync-chaos.config.json'), JSON.stringify({ scenarios: ['chaos/*.yaml'], client: './chaos/client.ts', seeds: '1..5', workers: 2, reporters: ['junit'] }));
    const loaded = await loadProjectConfig(app);
    expect(loaded?.file).toBe(join(app, 'sync-chaos.config.json'));
    const { files, flags } = resolveRun([], {}, app, loaded);
    expect(files).toEqual(['chaos/a.yaml', 'chaos/b.yaml']);
    expect(flags).toEqual({ client: 'chaos/client.ts', seeds: '1..5', workers: '2', reporter: ['junit'] });
  });

  it('yields to the files and flags given on the command line', async () => {
    const loaded = await loadProjectConfig(app);
    const { files, flags } = resolveRun(['chaos/b.yaml'], { workers: '1', seed: undefined }, app, loaded);
    expect(files).toEqual(['chaos/b.yaml']);
    expect(flags).toMatchObject({ workers: '1', seeds: '1..5', client: 'chaos/client.ts' });
  });

  it('loads from TypeScript through defineConfig, with paths relative to the config file', async () => {
    mkdirSync(join(app, 'nested'), { recursive: true });
    const api = pathToFileURL(join(REPO_ROOT, 'src/index.ts')).href;
    writeFileSync(join(app, 'nested', 'chaos.config.ts'), `import { defineConfig } from '${api}';\nexport default defineConfig({ scenarios: ['../chaos/a.yaml'], out: 'reports' });\n`);
    const loaded = await loadProjectConfig(app, 'nested/chaos.config.ts');
    expect(resolveRun([], {}, app, loaded)).toEqual({ files: ['chaos/a.yaml'], flags: { out: 'nested/reports' } });
  });

  it('adds the standard suite: shipped scenarios that exist, in simulation, under the default policy, named from where the run starts', async () => {
    const { files } = resolveRun([], { suite: 'standard' }, app, undefined);
    expect(files).toHaveLength(SUITES.standard.length);
    for (const file of files) {
      const loaded = loadScenarioFile(join(app, file));
      if (!loaded.ok) throw new Error(`${file} must load`);
      expect([loaded.scenario.system.transport, loaded.scenario.system.server, loaded.scenario.system.conflict], file).toEqual(['simulated', 'reference', 'server-wins']);
    }
  });

  it('is bad input when it is not a config, naming the file and the key, or when a glob matches nothing', async () => {
    writeFileSync(join(app, 'bad.json'), JSON.stringify({ scenarios: ['chaos/*.yaml'], seedz: 3 }));
    await expect(loadProjectConfig(app, 'bad.json')).rejects.toThrow(/bad.json: not a sync-chaos config:\n {2}\(config\): Unrecognized key: "seedz"/);
    await expect(loadProjectConfig(app, 'missing.json')).rejects.toThrow(/config file not found/);
    expect(() => resolveRun(['chaos/*.yml'], {}, app, undefined)).toThrow(/chaos\/\*\.yml: no scenario file matches/);
    expect(() => resolveRun([], {}, join(app, 'chaos'), undefined)).toThrow(/no scenario files given, and no sync-chaos.config.ts here/);
    expect(existsSync(join(app, 'chaos/notes.txt'))).toBe(true);
  });
});
