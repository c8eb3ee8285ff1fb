import { describe, expect, it } from 'vitest';
import type { EventLog } from '../src/history/events.ts';
import { loadClient } from '../src/run/client-loader.ts';
import { runScenario } from '../src/run/run.ts';
import { REPO_ROOT } from './cli-helpers.ts';
import { HEARTBEAT_MS } from './fixtures/global-library.ts';
import { issuesIn, scenarioFrom } from './scenario-helpers.ts';

/** Two devices of the library-style client; d1 is partitioned for a while (its retry timers run) and killed once. */
const LIBRARY = `
name: library on globals
devices: 2
duration: 3m
resume: 0ms
quiesce_timeout: 5m
system: { client: test/fixtures/global-library.ts, sync_interval: 20s }
workload: { rate: 6/min, mix: { create: 0.5, update: 0.5 } }
faults:
  - { at: 20s, for: 60s, partition: { target: [d1], mode: drop } }
  - { at: 100s, kill: { target: d1, when: any, restart_after: 30s } }
`;

async function run(seed: number) {
  const scenario = scenarioFrom(LIBRARY);
  const client = await loadClient(scenario.system, REPO_ROOT);
  return runScenario(scenario, { seed, client });
}

/** Seed 3's run, shared by the tests that read it. */
let seed3: ReturnType<typeof run> | undefined;
const runSeed3 = () => (seed3 ??= run(3));

type Heartbeat = { t: number; process: string; now: number; id: string; nodeId: string; bytes: number[] };

function heartbeats(events: EventLog): Heartbeat[] {
  return [...events].flatMap((event) =>
    event.type === 'client' && event.event === 'heartbeat' ? [{ t: event.t, process: event.process, ...(event.data as Omit<Heartbeat, 't' | 'process'>) }] : [],
  );
}

describe('virtual globals', () => {
  it('replays a client that reads only the globals byte for byte: same seed, same hash; another seed, other ids', async () => {
    const real = { Date, random: Math.random, setTimeout: globalThis.setTimeout, randomUUID: crypto.randomUUID };
    const first = await runSeed3();
    const second = await run(3);
    const other = await run(4);
    expect(first.error).toBeUndefined();
    expect(first.counts.writes).toBeGreaterThan(0);
    expect(second.eventLogHash).toBe(first.eventLogHash);
    expect(other.eventLogHash).not.toBe(first.eventLogHash);
    const ids = (result: typeof first) => heartbeats(result.history.events).map((beat) => [beat.id, beat.nodeId, ...beat.bytes].join());
    expect(ids(second)).toEqual(ids(first));
    expect(ids(other)).not.toEqual(ids(first));
    // the globals are the real ones again once the case has ended
    expect([Date, Math.random, globalThis.setTimeout, crypto.randomUUID]).toEqual([real.Date, real.random, real.setTimeout, real.randomUUID]);
    // node:timers' named ESM exports too (a later real-time run in this thread hung on fake ones)
    expect((await import('node:timers')).setTimeout).toBe(real.setTimeout);
    expect(first.warnings).toEqual([]);
  });

  it("fires the library's own timers in simulated time, on the run's clock, and never in a killed process", async () => {
    const result = await runSeed3();
    const beats = heartbeats(result.history.events);
    const events = [...result.history.events];
    const killedMs = events.find((event) => event.type === 'kill')?.t ?? NaN;
    const rebootMs = events.find((event) => event.type === 'boot' && event.t > killedMs)?.t ?? NaN;
    // Date.now inside a timer reads the simulated time it fires at, and the interval keeps its period
    expect(beats.length).toBeGreaterThan(20);
    expect(beats.every((beat) => beat.now === beat.t)).toBe(true);
    const d2 = beats.filter((beat) => beat.process === 'd2').map((beat) => beat.t);
    expect(d2.slice(1).map((t, i) => t - d2[i]!)).toEqual(d2.slice(1).map(() => HEARTBEAT_MS));
    // the dead process's interval stops at the kill; the next boot's starts its own
    const d1 = beats.filter((beat) => beat.process === 'd1').map((beat) => beat.t);
    expect(d1.some((t) => t > killedMs && t < rebootMs)).toBe(false);
    expect(d1.some((t) => t > rebootMs)).toBe(true);
    // while partitioned, d1 tried to sync again on its retry timers (set with the global setTimeout)
    const refused = events.filter((event) => event.type === 'message' && event.link === 'd1' && event.fate === 'refused' && event.t > 20_000 && event.t < 80_000);
    expect(refused.length).toBeGreaterThan(1);
  });

  it('refuses virtual globals over http and real globals with pokes in simulation, at the key', () => {
    expect(issuesIn('name: x\nsystem: { transport: http, globals: virtual }\n')).toMatchObject([{ path: 'system.globals', message: expect.stringContaining('time is real') }]);
    expect(issuesIn('name: x\nsystem: { pokes: true, globals: real }\n')).toMatchObject([{ path: 'system.globals', line: 2, message: expect.stringContaining('pokes') }]);
  });
});
