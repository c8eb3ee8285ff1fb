import { describe, expect, it } from 'vitest';
import type { ServerRecord, VisibleRecord } from '../src/adapter.ts';
import type { OperationEvent } from '../src/history/events.ts';
import { CONFLICT_POLICIES } from '../src/protocol/v1.ts';
import { loadClient } from '../src/run/client-loader.ts';
import { runScenario } from '../src/run/run.ts';
import type { RunResult } from '../src/check/verdict.ts';
import { parseScenario, type Scenario } from '../src/scenario/index.ts';

const ORDERINGS = ['dependency', 'serial', 'parallel'] as const;

function heavyContention(conflict: string, ordering: string, syncEvery = 'sync_interval: 30s, debounce: 2s'): Scenario {
  const parsed = parseScenario(
    [
      `name: matrix-${conflict}-${ordering}`,
      'devices: 5',
      'duration: 5m',
      'quiesce_timeout: 10m',
      'resume: 1m', // users act again, then the devices settle on their own timers: a minute shows it as well as five
      `system: { conflict: ${conflict}, ordering: ${ordering}, batch_size: 20, ${syncEvery} }`,
      'workload: { rate: 12/min, contention: 0.9, note_share: 0.7, resolve_delay: { min: 5s, max: 40s } }',
      'allow: [overwritten]',
    ].join('\n'),
    'matrix.yaml',
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.scenario;
}

interface Outcome {
  result: RunResult;
  server: ServerRecord[];
  devices: { deviceId: string; records: VisibleRecord[] }[];
}

async function run(conflict: string, ordering: string, seed: number, syncEvery?: string): Promise<Outcome> {
  const scenario = heavyContention(conflict, ordering, syncEvery);
  const result = await runScenario(scenario, { seed, client: await loadClient(scenario.system, '.') });
  if (!result.finalStates) throw new Error(`the run ended without a verdict: ${result.error?.message}`);
  return { result, server: result.finalStates.server, devices: result.finalStates.devices };
}

function acknowledgedCreates(result: RunResult): Map<string, OperationEvent> {
  const creates = new Map<string, OperationEvent>();
  for (const event of result.history.events) {
    if (event.type === 'ok' && event.f === 'create' && event.id) creates.set(event.id, event);
  }
  return creates;
}

describe('the reference stack under heavy contention, no faults (5 devices)', () => {
  describe.each(CONFLICT_POLICIES)('conflict: %s', (conflict) => {
    it.each(ORDERINGS)('ordering: %s converges, duplicates nothing and leaves no conflict open', async (ordering) => {
      const { result, server, devices } = await run(conflict, ordering, 11);
      expect(result.error).toBeUndefined();
      expect(result.quiesced).toBe(true);
      expect(result.violations).toEqual([]);
      expect(result.verdict).toBe('pass');

      const creates = acknowledgedCreates(result);
      expect(creates.size).toBeGreaterThan(20);
      for (const record of server) expect(creates.has(record.id), `server record ${record.id} comes from no create`).toBe(true);

      const conflicts = [...result.history.events].filter((event) => event.type === 'client' && event.event === 'conflict');
      expect(conflicts.length, 'heavy contention must produce conflicts, and each is logged').toBeGreaterThan(0);

      // A note written into a folder another device deleted meanwhile is rejected under any ordering;
      // only parallel pushes may also get a note rejected because its folder has not arrived yet.
      const allowed = ordering === 'parallel' ? /^folder \S+ (was deleted|does not exist)$/ : /^folder \S+ was deleted$/;
      const failed = devices.flatMap((device) => device.records.filter((record) => record.status === 'failed'));
      const serverIds = new Set(server.filter((record) => !record.deleted).map((record) => record.id));
      for (const record of failed) {
        expect(record.reason, 'a failure is surfaced with its reason').toMatch(allowed);
        expect(serverIds.has(record.id)).toBe(false);
      }
    });
  });

  it('shows why ordering matters: only parallel pushes get notes rejected because their folder has not arrived', async () => {
    // Rare syncs let each queue hold a new folder and notes written into it, pushed together.
    const notArrived = async (ordering: string) => {
      let count = 0;
      for (const seed of [1, 2, 3]) {
        const { result } = await run('server-wins', ordering, seed, 'sync_interval: 2m, debounce: 90s');
        count += [...result.history.events].filter(
          (event) => event.type === 'client' && event.event === 'change-rejected' && /does not exist/.test(String(event.data?.reason)),
        ).length;
      }
      return count;
    };
    expect(await notArrived('parallel')).toBeGreaterThan(0);
    expect(await notArrived('dependency')).toBe(0);
  });
});

describe('a scenario that says nothing about conflicts', () => {
  it('passes with the reference client: 2 devices for 1 minute and no other key, over five seeds', async () => {
    const parsed = parseScenario(['name: minimal', 'devices: 2', 'duration: 1m'].join('\n'), 'minimal.yaml');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const client = await loadClient(parsed.scenario.system, '.');
    for (let seed = 1; seed <= 5; seed++) {
      const result = await runScenario(parsed.scenario, { seed, client });
      expect(result.violations.map((violation) => violation.summary), `seed ${seed}`).toEqual([]);
      expect(result.verdict).toBe('pass');
    }
  });

  it('still fails on a logged overwrite when the scenario says allow: [], and the message says why', async () => {
    const lines = ['name: strict', 'devices: 3', 'duration: 5m', 'workload: { rate: 12/min, contention: 0.9 }', 'allow: []'];
    const parsed = parseScenario(lines.join('\n'), 'strict.yaml');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const result = await runScenario(parsed.scenario, { seed: 1, client: await loadClient(parsed.scenario.system, '.') });
    const overwritten = result.violations.filter((violation) => violation.kind === 'overwritten');
    expect(overwritten.length).toBeGreaterThan(0);
    expect(overwritten[0]?.summary).toMatch(/`allow:` does not accept logged overwrites/);
  });
});
