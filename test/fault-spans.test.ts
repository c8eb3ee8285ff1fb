// Fault spans are derived once from the history: a stop ends the start with its faultId, however
// alike two overlapping faults are, and a kill ends when its target boots again. (That the checkers
// and the timeline read the very same spans in a run: test/faults-nemesis.test.ts.)
import { describe, expect, it } from 'vitest';
import { faultSpans, faultsDuring } from '../src/history/fault-spans.ts';
import type { HistoryEvent } from '../src/history/events.ts';
import type { FaultSpec } from '../src/scenario/fault-specs.ts';

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
});
