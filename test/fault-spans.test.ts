// Fault spans are derived once from the history: a stop ends the start with its faultId, however
// alike two overlapping faults are, and a kill ends when its target boots again. The checkers'
// evidence and the report's timeline read the very same spans.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { faultSpans, faultsDuring } from '../src/history/fault-spans.ts';
import type { HistoryEvent } from '../src/history/events.ts';
import { toCaseReport } from '../src/report/case.ts';
import { loadClientFactory } from '../src/run/client-loader.ts';
import type { FaultSpec } from '../src/scenario/fault-specs.ts';
import type { Scenario } from '../src/scenario/index.ts';
import { REPO_ROOT } from './cli-helpers.ts';
import { run } from './faults-helpers.ts';

const OFFLINE: FaultSpec = { kind: 'partition', targets: ['d1'], mode: 'drop' };
const KILL: FaultSpec = { kind: 'kill', targets: ['d2'], when: 'any', restartAfterMs: 5_000 };

/** Two identical partitions of d1, the later one healing first, and a kill of d2 that heals only when the chaos phase ends. */
const OVERLAPPING: HistoryEvent[] = [
  { t: 60_000, type: 'fault', phase: 'start', faultId: 1, spec: OFFLINE },
  { t: 120_000, type: 'fault', phase: 'start', faultId: 2, spec: OFFLINE },
  { t: 150_000, type: 'fault', phase: 'start', faultId: 3, spec: KILL },
  { t: 155_000, type: 'boot', process: 'd1' },
  { t: 170_000, type: 'boot', process: 'd2' },
  { t: 180_000, type: 'fault', phase: 'stop', faultId: 2, spec: OFFLINE },
  { t: 200_000, type: 'boot', process: 'd2' },
  { t: 420_000, type: 'fault', phase: 'stop', faultId: 1, spec: OFFLINE },
  { t: 600_000, type: 'fault', phase: 'stop', faultId: 3, spec: KILL },
];

describe('fault spans', () => {
  it('end each fault at the stop carrying its faultId, and a kill at its target’s next boot', () => {
    expect(faultSpans(OVERLAPPING)).toEqual([
      { faultId: 1, kind: 'partition', startMs: 60_000, stopMs: 420_000, targets: ['d1'], mode: 'drop' },
      { faultId: 2, kind: 'partition', startMs: 120_000, stopMs: 180_000, targets: ['d1'], mode: 'drop' },
      { faultId: 3, kind: 'kill', startMs: 150_000, stopMs: 170_000, targets: ['d2'] },
    ]);
  });

  it('leave a fault that never stopped open, and find the faults overlapping a moment', () => {
    const spans = faultSpans(OVERLAPPING.filter((event) => !(event.type === 'fault' && event.phase === 'stop' && event.faultId === 1)));
    expect(spans[0]).toEqual({ faultId: 1, kind: 'partition', startMs: 60_000, targets: ['d1'], mode: 'drop' });
    expect(faultsDuring(spans, 175_000, 190_000).map((span) => span.faultId)).toEqual([1, 2]);
    expect(faultsDuring(spans, 0, 59_999)).toEqual([]);
  });

  it('are the same for the checkers and the timeline in a run with overlapping faults and a kill', async () => {
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
    const queueInMemory = (scenario: Scenario) => loadClientFactory({ ...scenario.system, client: join(REPO_ROOT, 'fixtures/clients/queue-in-memory.ts') }, REPO_ROOT);
    const result = await run(lines, { factory: queueInMemory });
    const where = { scenario: 'overlapping faults', file: 'x.yaml', client: undefined, wallMs: 0, swarm: false, showPayloads: false, timeline: true, trace: undefined, replay: '' };
    const report = toCaseReport(result, where);
    const timeline = report.timeline!;
    expect(timeline.faults).toEqual(faultSpans(result.history.events));

    const [outer, inner, killD1, killD2] = timeline.faults;
    expect([outer, inner].map((span) => [span?.startMs, span?.stopMs])).toEqual([[60_000, 420_000], [120_000, 180_000]]);
    const bootAfter = (device: string, fromMs: number) => [...result.history.events].find((event) => event.type === 'boot' && event.process === device && event.t > fromMs)?.t;
    expect(killD1?.stopMs).toBe(bootAfter('d1', 150_000));
    expect(killD2?.stopMs).toBe(bootAfter('d2', 240_000));

    const cited = report.violations.flatMap((violation) => violation.faults ?? []);
    expect(cited.length).toBeGreaterThan(0);
    const byId = new Map(timeline.faults.map((span) => [span.faultId, span]));
    for (const span of cited) expect(span).toEqual(byId.get(span.faultId));
  });
});
