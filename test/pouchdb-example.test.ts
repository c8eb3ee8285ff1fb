import { describe, expect, it } from 'vitest';
import { loadClient } from '../src/run/client-loader.ts';
import { runScenario } from '../src/run/run.ts';
import { loadScenarioFile, type Scenario } from '../src/scenario/index.ts';
import { REPO_ROOT } from './cli-helpers.ts';
import { join } from 'node:path';

const SCENARIO = join(REPO_ROOT, 'examples/pouchdb/scenario.yaml');

function example(): Scenario {
  const loaded = loadScenarioFile(SCENARIO);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  return loaded.scenario;
}

describe('the PouchDB example, a third-party system under test', () => {
  it('replicates every device with express-pouchdb through partitions and kills, and the checkers judge what the server holds', async () => {
    const scenario = example();
    const factory = await loadClient(scenario.system, join(REPO_ROOT, 'examples/pouchdb'));
    const result = await runScenario(scenario, { seed: 2, client: factory });
    if (result.verdict === 'error') {
      // PouchDB 9.0.0's replicator asks the remote for info() after each pulled batch without a catch: a lost answer
      // rejects unhandled; under load a CouchDB `missing` (404) once escaped it the same way (examples/pouchdb/README.md)
      expect(result.error?.message).toMatch(/^fetch failed \(GET \/chaos\/|^missing$/);
      return;
    }
    expect(result.counts.writes).toBeGreaterThan(10);
    // a kill may cut one write short (its outcome unknown); the rest were saved
    expect(result.counts.acknowledged).toBeGreaterThanOrEqual(result.counts.writes - 2);
    expect(result.counts.syncRequests).toBeGreaterThan(100);
    expect([...result.history.events].some((event) => event.type === 'kill')).toBe(true);
    const server = result.finalStates!.server;
    const live = server.filter((record) => !record.deleted);
    expect(live.length).toBeGreaterThan(0);
    expect(server.every((record) => record.version >= 1)).toBe(true);
    // the verdicts that do not hang on real-time interleavings: leveldb keeps what was saved, ids are the client's own
    for (const name of ['durability', 'duplicate'] as const) expect(result.checks[name]?.valid, name).toBe(true);
    for (const name of ['divergence', 'lost-write', 'liveness'] as const) expect([true, false], name).toContain(result.checks[name]?.valid);
    expect(result.checks['honest-status']).toBeUndefined();
  }, 30_000);

  it('reports honest-status as unknown when asked, since the server commits out of sight of the run', async () => {
    const scenario: Scenario = { ...example(), devices: 1, durationMs: 120_000, resumeMs: 0, faults: [], checks: ['honest-status'] };
    const factory = await loadClient(scenario.system, join(REPO_ROOT, 'examples/pouchdb'));
    const result = await runScenario(scenario, { seed: 1, client: factory });
    expect(result.checks['honest-status']?.valid).toBe('unknown');
    expect([...result.history.events].some((event) => event.type === 'commit' && event.process === 'server')).toBe(true);
  }, 30_000);

  it('refuses the simulated transport with a clear error instead of hanging', async () => {
    const scenario = example();
    const factory = await loadClient(scenario.system, join(REPO_ROOT, 'examples/pouchdb'));
    const simulated: Scenario = { ...scenario, system: { ...scenario.system, server: 'reference', transport: 'simulated' } };
    await expect(runScenario(simulated, { seed: 1, client: factory })).rejects.toThrow(/runs on real time.*transport: http/);
  });
});
