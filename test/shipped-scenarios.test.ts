import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startHttpServer } from '../src/serve/http-server.ts';
import { loadClient } from '../src/run/client-loader.ts';
import { runScenario } from '../src/run/run.ts';
import { loadScenarioFile, type Scenario } from '../src/scenario/index.ts';
import { REPO_ROOT } from './cli-helpers.ts';

/** Seeds per scenario here; the full 50-seed sweep is `sync-chaos run scenarios/*.yaml --seeds 50`. */
const SEEDS_PER_SCENARIO = 2;
const files = readdirSync(join(REPO_ROOT, 'scenarios')).filter((name) => name.endsWith('.yaml'));

describe('every shipped scenario', () => {
  it('covers each unhappy path of the seed post, the policies and a swarm of every fault', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  it.each(files)('%s passes with the reference client over its first seeds', async (name) => {
    const loaded = loadScenarioFile(join(REPO_ROOT, 'scenarios', name));
    if (!loaded.ok) throw new Error(`${name} must load`);
    const { scenario } = loaded;
    const factory = await loadClient(scenario.system, join(REPO_ROOT, 'scenarios'));
    for (let seed = scenario.seed; seed < scenario.seed + SEEDS_PER_SCENARIO; seed++) {
      const result = await withServer(scenario, (served) => runScenario(served, { seed, client: factory }));
      expect(result.error, `${name} seed ${seed}`).toBeUndefined();
      expect(result.violations.map((violation) => violation.summary), `${name} seed ${seed}`).toEqual([]);
      expect(result.quiesced).toBe(true);
    }
  }, 30_000);
});

/**
 * Runs `body` on the scenario as is or, when it names an external server (as http-baseline does,
 * for `npx sync-chaos server --port 8080 &`), against a fresh reference server on a free port.
 */
async function withServer<T>(scenario: Scenario, body: (scenario: Scenario) => Promise<T>): Promise<T> {
  if (scenario.system.server === 'reference') return body(scenario);
  const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-shipped-'));
  const server = await startHttpServer({ port: 0, dbPath: join(folder, 'server.sqlite'), policy: scenario.system.conflict });
  try {
    return await body({ ...scenario, system: { ...scenario.system, server: { url: server.url } } });
  } finally {
    await server.close();
    rmSync(folder, { recursive: true, force: true });
  }
}
