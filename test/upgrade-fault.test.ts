// The upgrade fault in small runs: a device runs an old build from the start, the update boots the
// latest over the changes the old build left queued, a failing migration keeps the device syncing on
// its old schema until the heal; drawn upgrades boot their device old; a client without app builds is turned away (scheduled) or skipped (drawn).
import { describe, expect, it } from 'vitest';
import { defineClient, type ClientDefinition } from '../src/adapter.ts';
import type { ClientLogEvent, HistoryEvent, OperationEvent } from '../src/history/events.ts';
import { loadClient } from '../src/run/client-loader.ts';
import { BadInputError } from '../src/errors.ts';
import { runScenario } from '../src/run/run.ts';
import type { RunResult } from '../src/check/verdict.ts';
import { parseScenario, type Scenario } from '../src/scenario/index.ts';
import { runCli } from './cli-helpers.ts';

function scenarioOf(lines: readonly string[]): Scenario {
  const parsed = parseScenario(['name: upgrade-test', 'devices: 2', 'duration: 10m', 'allow: [overwritten]', ...lines].join('\n'), 'upgrade.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.scenario;
}

async function run(lines: readonly string[], options: { seed?: number; swarm?: boolean; client?: ClientDefinition } = {}): Promise<RunResult> {
  const scenario = scenarioOf(lines);
  const client = options.client ?? (await loadClient(scenario.system, '.'));
  const result = await runScenario(scenario, { seed: options.seed ?? 1, client, ...(options.swarm && { swarm: true }) });
  expect(result.error, result.error?.stack).toBeUndefined();
  return result;
}

/** The schema events of one device, as [time, event, fromVersion, toVersion]. */
function schemaEvents(result: RunResult, process: string): [number, string, unknown, unknown][] {
  return [...result.history.events]
    .filter((event): event is ClientLogEvent => event.type === 'client' && event.process === process && /migrat/.test(event.event))
    .map((event) => [event.t, event.event, event.data?.fromVersion, event.data?.toVersion]);
}

function isOk(event: HistoryEvent): event is OperationEvent {
  return event.type === 'ok';
}

describe('the upgrade fault in a run', () => {
  it('boots a device on app v1, and at the scheduled time on v3, whose migration keeps the v1 app’s pending changes and sends them', async () => {
    const result = await run(['faults:', '  - { at: 0ms, for: 6m, partition: { target: d1 } }', '  - { at: 4m, upgrade: { target: d1, from: 1 } }']);
    expect(schemaEvents(result, 'd1')).toEqual([
      [0, 'schema-migrated', 0, 1],
      [240_000, 'schema-migrated', 1, 3],
    ]);
    expect(schemaEvents(result, 'd2')).toEqual([[0, 'schema-migrated', 0, 3]]);
    const offlineCreates = [...result.history.events].filter((event) => isOk(event) && event.process === 'd1' && event.f === 'create' && event.t < 240_000);
    expect(offlineCreates.length).toBeGreaterThan(0);
    const serverIds = new Set(result.finalStates?.server.map((record) => record.id));
    expect(offlineCreates.filter((event) => !serverIds.has((event as OperationEvent).id ?? ''))).toEqual([]);
    expect(result.violations).toEqual([]);
    expect(result.verdict).toBe('pass');
  });

  it('keeps a device whose migration failed syncing on its old schema until the heal boots a sound build, which migrates', async () => {
    const result = await run(['faults:', '  - { at: 2m, for: 5m, upgrade: { target: d2, from: 2, fail: true } }']);
    expect(schemaEvents(result, 'd2')).toEqual([
      [0, 'schema-migrated', 0, 2],
      [120_000, 'migration-failed', 2, 3],
      [420_000, 'schema-migrated', 2, 3],
    ]);
    const degradedWrites = [...result.history.events].filter((event) => isOk(event) && event.process === 'd2' && event.t > 120_000 && event.t < 420_000);
    expect(degradedWrites.length).toBeGreaterThan(0);
    expect(result.verdict).toBe('pass');
  });

  it('boots the device of each drawn upgrade on the old build from the start, and gives the same hash for the same seed', async () => {
    const lines = ['nemesis: { kinds: [upgrade], rate: 12/h, swarm: true }'];
    const first = await run(lines, { seed: 3 });
    const drawn = first.drawnFaults.map((fault) => fault.spec).filter((spec) => spec.kind === 'upgrade');
    expect(drawn.length).toBeGreaterThan(0);
    for (const { targets, fromVersion } of drawn) {
      for (const deviceId of targets) expect(schemaEvents(first, deviceId)[0]?.[3]).toBeLessThanOrEqual(fromVersion);
    }
    expect(first.verdict).toBe('pass');
    expect((await run(lines, { seed: 3 })).eventLogHash).toBe(first.eventLogHash);
  });

  it('turns a scheduled upgrade away as bad input when the client declares no app builds', async () => {
    const reference = await loadClient(scenarioOf([]).system, '.');
    const bare: ClientDefinition = { factory: reference.factory };
    await expect(run(['faults:', '  - { at: 1m, upgrade: { target: d1 } }'], { client: bare })).rejects.toThrow(/declares none/);
    const onlyLatest: ClientDefinition = { factory: reference.factory, builds: { versions: [3], build: () => reference.factory } };
    await expect(run(['faults:', '  - { at: 1m, upgrade: { target: d1 } }'], { client: onlyLatest })).rejects.toThrow(BadInputError);
  });

  it('skips upgrade in a nemesis that lists it for a client without app builds, and says so once', async () => {
    const reference = await loadClient(scenarioOf([]).system, '.');
    const result = await run(['nemesis: { kinds: [upgrade, partition], rate: 20/h }'], { client: { factory: reference.factory }, seed: 2 });
    expect(result.drawnFaults.length).toBeGreaterThan(0);
    expect(result.drawnFaults.filter((fault) => fault.spec.kind === 'upgrade')).toEqual([]);
    expect(result.warnings).toEqual([expect.stringMatching(/the nemesis skips `upgrade`/)]);
  });

  it('upgrades a client module that declares its builds, as it does the reference client', async () => {
    const reference = await loadClient(scenarioOf([]).system, '.');
    const declared = defineClient({ factory: reference.factory, builds: reference.builds! });
    const lines = ['faults:', '  - { at: 2m, upgrade: { target: d1, from: 1 } }'];
    expect((await run(lines, { client: declared })).eventLogHash).toBe((await run(lines)).eventLogHash);
  });

  it('leaves upgrades out of what --swarm draws for a client without app builds', async () => {
    const reference = await loadClient(scenarioOf([]).system, '.');
    const result = await run([], { client: { factory: reference.factory }, swarm: true, seed: 2 });
    expect(result.drawnFaults.length).toBeGreaterThan(0);
    expect(result.drawnFaults.filter((fault) => fault.spec.kind === 'upgrade')).toEqual([]);
    expect(result.warnings).toEqual([]);
  });
});

describe('the CLI and a client without app builds', () => {
  it('refuses a scheduled upgrade with exit 2, naming the fault at its line and column', async () => {
    const { code, stderr } = await runCli(['run', 'scenarios/upgrade.yaml', '--client', 'templates/adapter.ts', '--workers', '1']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^scenarios\/upgrade\.yaml:12:15 faults\[1\]\.upgrade: the upgrade fault installs older and newer builds of the app, and this client declares none/m);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
