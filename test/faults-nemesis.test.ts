// The nemesis: scheduled and drawn faults are recorded as start and stop events sharing a faultId and
// all healed before the liveness phase; with every fault on, a seed replays to the same event log, swarm
// mode draws the fault parameters from the seed, and the checkers and the timeline see the same spans.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { drawSpec } from '../src/faults/nemesis.ts';
import type { FaultEvent } from '../src/history/events.ts';
import { faultSpans } from '../src/history/fault-spans.ts';
import { toCaseReport } from '../src/report/case.ts';
import { loadClient } from '../src/run/client-loader.ts';
import { SWARM_RANGES, type SwarmRange } from '../src/scenario/swarm-ranges.ts';
import { createRng } from '../src/sim/rng.ts';
import { FAULT_KINDS, type FaultKind } from '../src/scenario/fault-specs.ts';
import type { RunResult } from '../src/check/verdict.ts';
import type { Scenario } from '../src/scenario/index.ts';
import { REPO_ROOT } from './cli-helpers.ts';
import { clientEvents, faultEvents, messages, observedReference, phaseTime, plainClient, readingClock, run, scenarioOf, withEnv } from './faults-helpers.ts';

/**
 * A server restore is left out of "everything at once", as out of --swarm's own nemesis and
 * scenarios/everything.yaml: only a client that speaks the protocol's epoch can pass it. The reference
 * client's resync is proven by scenarios/server-restore.yaml and test/server-restore.test.ts.
 */
type EveryKindButRestore = Exclude<FaultKind, 'server_restore'>;

/** One scheduled fault of every kind but a server restore, on three devices over six minutes. */
const EVERY_KIND = {
  partition: '{ at: 30s, for: 1m, partition: { target: d1, mode: hold } }',
  kill: '{ at: 45s, kill: { target: d2, restart_after: 10s } }',
  clock: '{ at: 1m, for: 2m, clock: { target: d3, offset: -2m, skew: 0.05 } }',
  batch_failure: '{ at: 90s, for: 1m, batch_failure: { mode: partial, applied: 1 } }',
  backup_restore: '{ at: 4m, backup_restore: { target: d1, backup_every: 1m, age: 2m } }',
  reinstall: '{ at: 5m, reinstall: { target: d2 } }',
  suspend: '{ at: 2m, for: 2m, suspend: { target: d2, windows: 30/h, window: 20s } }',
  upgrade: '{ at: 3m, upgrade: { target: d3, from: 1 } }',
  server_restart: '{ at: 150s, server_restart: { down: 15s } }',
  latency: '{ at: 10s, for: 1m, latency: { target: d3, min: 500ms, max: 2s } }',
  loss: '{ at: 3m, for: 1m, loss: { target: all, rate: 0.2 } }',
  duplicate: '{ at: 1m, for: 2m, duplicate: { target: d1, rate: 0.3 } }',
  reorder: '{ at: 4m, for: 1m, reorder: { target: d2, max: 2s } }',
  tombstone_retention: '{ at: 1m, tombstone_retention: { older_than: 2m, every: 30s } }',
} satisfies Record<EveryKindButRestore, string>;

function everything(nemesis: string): string[] {
  return [
    'name: everything at once',
    'devices: 3',
    'duration: 6m',
    'workload: { rate: 10/min, contention: 0.5 }',
    'faults:',
    ...Object.values(EVERY_KIND).map((entry) => `  - ${entry}`),
    `nemesis: ${nemesis}`,
    // a reinstall loses what was only on the device: the fault's doing, accepted here
    'allow: [overwritten, reinstall]',
  ];
}

const ALL_KINDS_NEMESIS = `{ kinds: [${FAULT_KINDS.filter((kind) => kind !== 'server_restore').join(', ')}], rate: 60/h, for: { min: 30s, max: 3m }, swarm: true }`;

const watched = async (scenario: Scenario) => withEnv(await observedReference(scenario), readingClock(5_000));

/** Starts and stops as the nemesis should have recorded them: each fault starts at `at` and stops after `for`, or when the chaos phase ends. */
function expectedFaultEvents(result: RunResult, scheduled: Scenario['faults'], chaosEndMs: number) {
  return [...scheduled, ...result.drawnFaults].flatMap(({ atMs, forMs, spec }) => [
    { t: atMs, type: 'fault', phase: 'start', spec },
    { t: Math.min(atMs + (forMs ?? chaosEndMs), chaosEndMs), type: 'fault', phase: 'stop', spec },
  ]);
}

const byTime = (a: { t: number }, b: { t: number }) => a.t - b.t || JSON.stringify(a).localeCompare(JSON.stringify(b));

describe('the nemesis', () => {
  it('records every scheduled and drawn fault as a start and a stop, and heals them all before the quiesce phase', async () => {
    const lines = everything(ALL_KINDS_NEMESIS);
    const result = await run(lines, { client: watched, seed: 3 });
    const scenario = scenarioOf(lines);
    expect(result.drawnFaults.length).toBeGreaterThan(1);
    const recorded = faultEvents(result);
    expect(recorded.map(({ faultId: _faultId, ...event }) => event).sort(byTime)).toEqual(expectedFaultEvents(result, scenario.faults, 360_000).sort(byTime));
    // a fault's start and stop carry one faultId, numbered from 1 in the order the faults started
    const starts = recorded.filter((event) => event.phase === 'start');
    expect(starts.map((event) => event.faultId)).toEqual(starts.map((_, index) => index + 1));
    for (const start of starts) expect(recorded.filter((event) => event.phase === 'stop' && event.faultId === start.faultId).map((event) => event.spec)).toEqual([start.spec]);
    // every fault that started stopped, and before the quiesce phase began
    const quiesceAt = [...result.history.events].findIndex((event) => event.type === 'phase' && event.phase === 'quiesce');
    const faultsAt = [...result.history.events].flatMap((event, index) => (event.type === 'fault' ? [index] : []));
    expect(Math.max(...faultsAt)).toBeLessThan(quiesceAt);
    // and the world is healthy in the liveness phase: no message lost or held, no connection refused, every clock right
    const quiesce = phaseTime(result, 'quiesce');
    const late = messages(result).filter((m) => m.t >= quiesce);
    expect(late.length).toBeGreaterThan(0);
    // (a refusal the server sent while it was still down, before the heal, may arrive after it)
    const sentInChaos = new Set(messages(result).filter((m) => m.fate === 'sent' && m.t < quiesce).map((m) => m.messageId));
    const refusedLate = (m: (typeof late)[number]) => m.label.startsWith('refused') && !sentInChaos.has(m.messageId);
    expect(late.filter((m) => m.fate === 'dropped' || m.fate === 'held' || refusedLate(m))).toEqual([]);
    for (const deviceId of ['d1', 'd2', 'd3']) {
      const readings = clientEvents(result, 'clock-reading', deviceId).filter((event) => event.t >= quiesce);
      for (const reading of readings) expect(reading.data?.['now'], `${deviceId} at ${reading.t}`).toBe(reading.t);
    }
    expect(result.quiesced).toBe(true);
    expect(result.verdict).toBe('pass');
  });

  it('heals a drawn fault that outlasts the chaos phase at its end, recording the stop then', async () => {
    const result = await run(
      ['name: long faults', 'devices: 2', 'duration: 4m', 'workload: { rate: 6/min }', 'nemesis: { kinds: [partition, suspend, clock], rate: 60/h, for: { min: 10m, max: 20m } }'],
      { seed: 2 },
    );
    expect(result.drawnFaults.length).toBeGreaterThan(0);
    const stops = faultEvents(result).filter((event) => event.phase === 'stop');
    expect(stops).toHaveLength(result.drawnFaults.length);
    for (const stop of stops) expect(stop.t).toBe(240_000);
    expect(result.verdict).toBe('pass');
  });
});

describe('determinism with every fault on', () => {
  it('gives the same event-log hash for the same seed, and another for another seed', async () => {
    const lines = everything(ALL_KINDS_NEMESIS);
    const first = await run(lines, { seed: 7, client: plainClient });
    const again = await run(lines, { seed: 7, client: plainClient });
    const other = await run(lines, { seed: 8, client: plainClient });
    // every kind did start in these runs
    const started = new Set(faultEvents(first).filter((event) => event.phase === 'start').map((event: FaultEvent) => event.spec.kind));
    expect([...started].sort()).toEqual(Object.keys(EVERY_KIND).sort());
    expect(first.counts.events).toBeGreaterThan(300);
    expect(again.eventLogHash).toBe(first.eventLogHash);
    expect(again.history.events).toEqual(first.history.events);
    expect(other.eventLogHash).not.toBe(first.eventLogHash);
  });
});

describe('swarm mode', () => {
  const latencyOnly = (swarm: boolean) => [
    'name: swarm latency',
    'devices: 2',
    'duration: 10m',
    'workload: { rate: 2/min }',
    `nemesis: { kinds: [latency, loss, kill], rate: 40/h, swarm: ${swarm} }`,
  ];
  const parameters = (result: RunResult) => result.drawnFaults.map(({ spec }) => ({ ...spec, targets: undefined }));

  it('draws fault parameters that are the same for the same seed and differ between seeds', async () => {
    const one = await run(latencyOnly(true), { seed: 11, client: plainClient });
    const same = await run(latencyOnly(true), { seed: 11, client: plainClient });
    const other = await run(latencyOnly(true), { seed: 12, client: plainClient });
    expect(one.drawnFaults.length).toBeGreaterThan(2);
    expect(same.drawnFaults).toEqual(one.drawnFaults);
    const kindsOf = (result: RunResult) => new Set(result.drawnFaults.map(({ spec }) => spec.kind));
    const shared = [...kindsOf(one)].filter((kind) => kindsOf(other).has(kind));
    expect(shared.length).toBeGreaterThan(0);
    // the same kind comes with other parameters under another seed
    for (const kind of shared) {
      const of = (result: RunResult) => parameters(result).filter((spec) => spec.kind === kind);
      expect(of(other), kind).not.toEqual(of(one));
    }
    // and within one seed, parameters vary from fault to fault
    expect(new Set(parameters(one).map((spec) => JSON.stringify(spec))).size).toBeGreaterThan(kindsOf(one).size);
  });

  it('draws nothing but the defaults without swarm', async () => {
    const result = await run(latencyOnly(false), { seed: 11, client: plainClient });
    expect(result.drawnFaults.length).toBeGreaterThan(2);
    const defaults: Record<string, object> = {
      latency: { kind: 'latency', latencyMsMin: 500, latencyMsMax: 3_000 },
      loss: { kind: 'loss', rate: 0.2 },
      kill: { kind: 'kill', when: 'any', restartAfterMs: 10_000 },
    };
    for (const spec of parameters(result)) expect(spec).toEqual({ ...defaults[spec.kind], targets: undefined });
  });

  it('draws, without swarm, exactly what a scenario file entry that sets only its target resolves to', () => {
    for (const kind of FAULT_KINDS) {
      const drawn = drawSpec(kind, ['d2'], createRng(1, kind), false);
      const settings = 'targets' in drawn ? '{ target: d2 }' : '{}';
      const [fault] = scenarioOf(['name: defaults', 'devices: 3', 'faults:', `  - { at: 1m, ${kind}: ${settings} }`]).faults;
      expect(drawn, kind).toStrictEqual(fault?.spec);
    }
    // the scenario file's clock offset, not one of the nemesis's own (it used 5 minutes)
    expect(drawSpec('clock', ['d2'], createRng(1, 'clock'), false)).toMatchObject({ offsetMs: 0, skew: 0 });
  });

  it('draws, in swarm mode, every setting SWARM_RANGES names from its range, each taking more than one value, and the rest at their defaults', () => {
    for (const kind of FAULT_KINDS) {
      const ranges: Record<string, SwarmRange> = SWARM_RANGES[kind];
      const defaults: Record<string, unknown> = drawSpec(kind, ['d2'], createRng(1, kind), false);
      const seen = new Map<string, Set<unknown>>();
      for (let seed = 0; seed < 200; seed++) {
        const drawn: Record<string, unknown> = drawSpec(kind, ['d2'], createRng(seed, kind), true);
        expect(Object.keys(drawn), kind).toEqual(Object.keys(defaults));
        for (const [setting, value] of Object.entries(drawn)) {
          const range = ranges[setting];
          if (!range) {
            expect(value, `${kind}.${setting}`).toEqual(defaults[setting]);
            continue;
          }
          seen.set(setting, (seen.get(setting) ?? new Set()).add(value));
          if ('oneOf' in range) expect(range.oneOf, `${kind}.${setting}`).toContain(value);
          else {
            const [min, max] = 'int' in range ? range.int : range.real;
            const floor = 'int' in range && range.atLeast !== undefined ? Math.max(min, drawn[range.atLeast] as number) : min;
            expect(value, `${kind}.${setting}`).toBeGreaterThanOrEqual(floor);
            expect(value, `${kind}.${setting}`).toBeLessThanOrEqual(max);
            if ('int' in range) expect(Number.isInteger(value), `${kind}.${setting}`).toBe(true);
          }
        }
      }
      for (const setting of Object.keys(ranges)) expect(seen.get(setting)?.size, `${kind}.${setting}`).toBeGreaterThan(1);
    }
  });

  it('turns a scenario without a nemesis into a swarm of every kind with the run option, drawn from the seed', async () => {
    const lines = ['name: no nemesis', 'devices: 2', 'duration: 20m', 'workload: { rate: 2/min }'];
    const one = await run(lines, { seed: 5, swarm: true, client: plainClient });
    const same = await run(lines, { seed: 5, swarm: true, client: plainClient });
    expect(one.drawnFaults.length).toBeGreaterThan(0);
    expect(same.drawnFaults).toEqual(one.drawnFaults);
    expect(same.eventLogHash).toBe(one.eventLogHash);
  });
});

describe('fault spans in a run', () => {
  it('are the same for the checkers and the timeline, with overlapping identical faults and kills', async () => {
    const lines = [
      'name: overlapping faults',
      'devices: 2',
      'duration: 8m',
      'workload: { rate: 6/min }',
      'faults:',
      '  - { at: 1m, for: 6m, partition: { target: d1, mode: drop } }',
      '  - { at: 2m, for: 1m, partition: { target: d1, mode: drop } }',
      '  - { at: 150s, kill: { target: d1, restart_after: 5s } }',
      '  - { at: 4m, kill: { target: d2, restart_after: 5s } }',
    ];
    // the queue dies with the app, so the kill of d1, offline, loses its pending changes: liveness names the faults around them
    const queueInMemory = (scenario: Scenario) => loadClient({ ...scenario.system, client: join(REPO_ROOT, 'fixtures/clients/queue-in-memory.ts') }, REPO_ROOT);
    const result = await run(lines, { client: queueInMemory });
    const where = { scenario: 'overlapping faults', file: 'x.yaml', client: undefined, wallMs: 0, swarm: false, chaosMs: 480_000, showPayloads: false, timeline: true, trace: undefined, replay: '' };
    const report = toCaseReport(result, where);
    const timeline = report.timeline!;
    expect(timeline.faults).toEqual(faultSpans(result.history.events));

    const [outer, inner, killD1, killD2] = timeline.faults;
    expect([outer, inner].map((span) => [span?.startMs, span?.stopMs])).toEqual([[60_000, 420_000], [120_000, 180_000]]);
    const bootAfter = (device: string, fromMs: number) => [...result.history.events].find((event) => event.type === 'boot' && event.process === device && event.t > fromMs)?.t;
    // each kill ends when its device is back, long before its heal at the end of the chaos phase
    expect(killD1?.stopMs).toBe(bootAfter('d1', 150_000));
    expect(killD2?.stopMs).toBe(bootAfter('d2', 240_000));
    expect(Math.max(killD1?.stopMs ?? Infinity, killD2?.stopMs ?? Infinity)).toBeLessThan(300_000);

    const cited = report.violations.flatMap((violation) => violation.faults ?? []);
    expect(cited.length).toBeGreaterThan(0);
    const byId = new Map(timeline.faults.map((span) => [span.faultId, span]));
    for (const span of cited) expect(span).toEqual(byId.get(span.faultId));
  });
});
