// What the user saw and what they did next must not depend on how the app builds its listings: the history
// and the simulated user keep what they worked out for records handed out again (the reference client hands
// out the same frozen objects while a record is unchanged), and a run must come out the same as when every
// listing is made of fresh, unfrozen copies, which they have to compare and look up afresh.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClientDefinition, SyncClient } from '../src/adapter.ts';
import { loadClient } from '../src/run/client-loader.ts';
import { runScenario } from '../src/run/run.ts';
import { loadScenarioFile } from '../src/scenario/index.ts';
import { REPO_ROOT } from './cli-helpers.ts';

/** The client, but every listing hands out new, unfrozen copies of its records, in a new array. */
function copyingListings(definition: ClientDefinition): ClientDefinition {
  const copying = (client: SyncClient): SyncClient =>
    new Proxy(client, {
      get(target, property) {
        if (property === 'list') return async () => (await target.list()).map((record) => ({ ...record, fields: { ...record.fields } }));
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return { ...definition, factory: async (env) => copying(await definition.factory(env)) };
}

describe('a run', () => {
  it.each([
    ['baseline.yaml', 42],
    ['kill-pending.yaml', 1],
    ['everything.yaml', 3],
  ])('of %s at seed %i has the same history whether the app hands out the same frozen records again or fresh copies', async (name, seed) => {
    const loaded = loadScenarioFile(join(REPO_ROOT, 'scenarios', name));
    if (!loaded.ok) throw new Error(`${name} must load`);
    const client = await loadClient(loaded.scenario.system, join(REPO_ROOT, 'scenarios'));
    const same = await runScenario(loaded.scenario, { seed, client });
    const copied = await runScenario(loaded.scenario, { seed, client: copyingListings(client) });

    expect(copied.eventLogHash).toBe(same.eventLogHash);
    expect(copied.verdict).toBe('pass');
  });
});
