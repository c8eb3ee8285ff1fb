import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClientFactory } from '../src/run/client-loader.ts';
import { runScenario } from '../src/run/run.ts';
import { loadScenarioFile } from '../src/scenario/index.ts';
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
    const factory = await loadClientFactory(scenario.system, join(REPO_ROOT, 'scenarios'));
    for (let seed = scenario.seed; seed < scenario.seed + SEEDS_PER_SCENARIO; seed++) {
      const result = await runScenario(scenario, { seed, factory });
      expect(result.error, `${name} seed ${seed}`).toBeUndefined();
      expect(result.violations.map((violation) => violation.summary), `${name} seed ${seed}`).toEqual([]);
      expect(result.quiesced).toBe(true);
    }
  });
});
