// The worked example of docs/adapters.md must keep working: the adapter in templates/ (what `sync-chaos init` writes) is loaded
// the way `--client` loads it, passes the baseline scenario, replays a seed exactly, and the guide
// shows exactly its code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClient } from '../src/run/client-loader.ts';
import { runScenario } from '../src/run/run.ts';
import { loadScenarioFile } from '../src/scenario/index.ts';
import { REPO_ROOT } from './cli-helpers.ts';

const EXAMPLE = 'templates/adapter.ts';
const SEEDS = 2;

describe('the example adapter of docs/adapters.md', () => {
  it('passes the baseline scenario over its first seeds, loaded as --client loads it', async () => {
    const loaded = loadScenarioFile(join(REPO_ROOT, 'scenarios/baseline.yaml'));
    if (!loaded.ok) throw new Error('baseline.yaml must load');
    const { scenario } = loaded;
    const factory = await loadClient({ ...scenario.system, client: EXAMPLE }, REPO_ROOT);
    const hashes: string[] = [];
    for (let seed = scenario.seed; seed < scenario.seed + SEEDS; seed++) {
      const result = await runScenario(scenario, { seed, client: factory });
      expect(result.error, `seed ${seed}`).toBeUndefined();
      expect(result.violations.map((violation) => violation.summary), `seed ${seed}`).toEqual([]);
      expect(result.verdict, `seed ${seed}`).toBe('pass');
      expect(result.quiesced, `seed ${seed}`).toBe(true);
      expect(result.counts.acknowledged, `seed ${seed}`).toBeGreaterThan(0);
      hashes.push(result.eventLogHash);
    }
    // it takes time, timers, ids and network only from the env: the first seed replays to the same event log
    expect((await runScenario(scenario, { seed: scenario.seed, client: factory })).eventLogHash).toBe(hashes[0]);
  });

  it('is shown in the guide exactly as it is in templates/', () => {
    const guide = readFileSync(join(REPO_ROOT, 'docs/adapters.md'), 'utf8');
    const code = readFileSync(join(REPO_ROOT, EXAMPLE), 'utf8');
    const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
    expect(blocks).toContain(code);
  });
});
