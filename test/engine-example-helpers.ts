// What the engine examples' tests (Yjs, Automerge) check of a server_restart: the fault reached the
// server module, and the restarted process went on counting each record's versions from what its
// data folder kept, so no record's committed version ever went back; and the run both tests make of seed 1.
import { join } from 'node:path';
import { expect } from 'vitest';
import type { HistoryEvent } from '../src/history/events.ts';
import { loadClient } from '../src/run/client-loader.ts';
import { runScenario } from '../src/run/run.ts';
import { loadScenarioFile } from '../src/scenario/index.ts';

type MessageEvent = Extract<HistoryEvent, { type: 'message' }>;

/**
 * Runs an engine example's scenario.yaml at seed 1 and checks what both examples must show: kills and one
 * server restart at or after 115 s that lost no version, the engine's own sockets carried and faulted on the
 * devices' links, convergence, and no divergence, durability or duplicate violation. The checkers that judge
 * the engine's merge semantics (lost-write, liveness, integrity) only have to run. Returns the messages, for
 * each example's own checks.
 */
export async function runEngineExample(folder: string): Promise<MessageEvent[]> {
  const loaded = loadScenarioFile(join(folder, 'scenario.yaml'));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const scenario = loaded.scenario;
  const factory = await loadClient(scenario.system, folder);
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
  // the engine's own sockets crossed the devices' links, and the faults reached them
  const messages = events.flatMap((event) => (event.type === 'message' ? [event] : []));
  expect(messages.some((event) => event.fate === 'delivered' && event.label === 'connect tcp')).toBe(true);
  expect(messages.some((event) => event.fate === 'dropped' && event.direction === 'to-device' && event.link === 'd2')).toBe(true);
  // every device converged with the server once the faults healed, and a kill lost nothing saved
  expect(result.quiesced).toBe(true);
  for (const name of ['divergence', 'durability', 'duplicate'] as const) expect(result.checks[name]?.valid, name).toBe(true);
  const live = result.finalStates!.server.filter((record) => !record.deleted);
  expect(live.length).toBeGreaterThan(0);
  // concurrent sets of one field keep one value, and liveness misreads a merge (each example's README.md)
  for (const name of ['lost-write', 'liveness', 'integrity'] as const) expect([true, false], name).toContain(result.checks[name]?.valid);
  return messages;
}

/** The run times (ms) at which a server_restart took the server down. */
export function serverRestartTimesMs(events: readonly HistoryEvent[]): number[] {
  return events.flatMap((event) => (event.type === 'fault' && event.phase === 'start' && event.spec.kind === 'server_restart' ? [event.t] : []));
}

/** Records whose server commits did not rise strictly, version after version: a server that forgot what it held. */
export function recordsWhoseVersionsFell(events: readonly HistoryEvent[]): string[] {
  const last = new Map<string, number>();
  const fell = new Set<string>();
  for (const event of events) {
    if (event.type !== 'commit') continue;
    if (event.version <= (last.get(event.id) ?? 0)) fell.add(event.id);
    last.set(event.id, event.version);
  }
  return [...fell];
}
