// When each fault of a run was in force, derived from the event log by one rule that the checkers'
// evidence and the report's timeline both read: a fault spans from its start to the stop that
// carries its faultId, and a kill only until its target next boots (the app is back by then).
import type { EventLog } from './events.ts';
import type { FaultKind } from '../scenario/fault-specs.ts';

export interface FaultSpan {
  /** The id its start and stop events carry: unique within a run, in start order. */
  faultId: number;
  kind: FaultKind;
  startMs: number;
  /** Absent when it never healed before the end of the history. */
  stopMs?: number;
  /** The devices it struck; absent for server-side faults. */
  targets?: string[];
  /** The fault's mode, for kinds that have one (`drop`, `hold`, `response-lost`; `partial`, `reject`). */
  mode?: string;
}

/** Every fault of the history as a span, in start order. */
export function faultSpans(events: EventLog): FaultSpan[] {
  const spans: FaultSpan[] = [];
  const open = new Map<number, FaultSpan>();
  const killsDown = new Set<FaultSpan>();
  for (const event of events) {
    if (event.type === 'boot') {
      for (const kill of killsDown) if (kill.targets?.includes(event.process)) end(kill, event.t);
    } else if (event.type === 'fault' && event.phase === 'start') {
      const { spec, faultId } = event;
      const span: FaultSpan = {
        faultId,
        kind: spec.kind,
        startMs: event.t,
        ...('targets' in spec && { targets: spec.targets }),
        ...('mode' in spec && { mode: spec.mode }),
      };
      spans.push(span);
      open.set(faultId, span);
      if (spec.kind === 'kill') killsDown.add(span);
    } else if (event.type === 'fault') {
      const span = open.get(event.faultId);
      if (span) end(span, event.t);
    }
  }
  return spans;

  function end(span: FaultSpan, atMs: number): void {
    open.delete(span.faultId);
    killsDown.delete(span);
    span.stopMs = atMs;
  }
}

/** The faults whose span overlaps [fromMs, toMs]. */
export function faultsDuring(spans: readonly FaultSpan[], fromMs: number, toMs: number): FaultSpan[] {
  return spans.filter((span) => span.startMs <= toMs && (span.stopMs ?? Number.POSITIVE_INFINITY) >= fromMs);
}
