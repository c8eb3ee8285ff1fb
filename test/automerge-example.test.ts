import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClient } from '../src/run/client-loader.ts';
import { runScenario } from '../src/run/run.ts';
import { loadScenarioFile, type Scenario } from '../src/scenario/index.ts';
import { REPO_ROOT } from './cli-helpers.ts';
import { recordsWhoseVersionsFell, serverRestartTimesMs } from './engine-example-helpers.ts';

const FOLDER = join(REPO_ROOT, 'examples/automerge');

function example(): Scenario {
  const loaded = loadScenarioFile(join(FOLDER, 'scenario.yaml'));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  return loaded.scenario;
}

describe('the Automerge example, a CRDT repo with its own WebSockets', () => {
  it("syncs every device's automerge-repo with a sync server through each device's proxy, through partitions, a lost-response cut, loss, kills and a server restart", async () => {
    const scenario = example();
    const factory = await loadClient(scenario.system, FOLDER);
    const result = await runScenario(scenario, { seed: 1, client: factory });

    expect(result.error).toBeUndefined();
    expect(result.counts.writes).toBeGreaterThan(10);
    const events = [...result.history.events];
    expect(events.filter((event) => event.type === 'kill').length).toBeGreaterThanOrEqual(2);
    // the server module was restarted, and the new process went on from what its data folder kept
    const restarts = serverRestartTimesMs(events);
    expect(restarts).toHaveLength(1);
    expect(restarts[0]).toBeGreaterThanOrEqual(115_000);
    expect(recordsWhoseVersionsFell(events)).toEqual([]);
    // the network adapter's own sockets crossed the devices' links, and the faults reached them
    const messages = events.flatMap((event) => (event.type === 'message' ? [event] : []));
    expect(messages.some((event) => event.fate === 'delivered' && event.label === 'connect tcp')).toBe(true);
    // d1's drop partition refuses a reconnect, or drops what its open socket sends (which one depends on how the load paces the 0.5 s reconnect)
    expect(messages.some((event) => event.link === 'd1' && (event.fate === 'dropped' || (event.fate === 'refused' && event.label === 'connect tcp')))).toBe(true);
    expect(messages.some((event) => event.fate === 'dropped' && event.direction === 'to-device' && event.link === 'd2')).toBe(true);
    // every device converged with the server once the faults healed, and a kill lost nothing saved
    expect(result.quiesced).toBe(true);
    for (const name of ['divergence', 'durability', 'duplicate'] as const) expect(result.checks[name]?.valid, name).toBe(true);
    const live = result.finalStates!.server.filter((record) => !record.deleted);
    expect(live.length).toBeGreaterThan(0);
    // concurrent sets of one field keep one value and this adapter shows no conflict, and liveness misreads a merge (examples/automerge/README.md)
    for (const name of ['lost-write', 'liveness', 'integrity'] as const) expect([true, false], name).toContain(result.checks[name]?.valid);
  }, 60_000);
});
