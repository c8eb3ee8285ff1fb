// When each fault of a run was in force, derived from the event log by one rule that the checkers'
// evidence and the report's timeline both read: a fault spans from its start to the stop that
// carries its faultId, and a kill only until its target next boots (the app is back by then).
import type { EventLog, HistoryEvent } from './events.ts';
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

/** The faults of a history as spans, in start order, taken event by event as it is written or read. */
export class FaultSpanFold {
  readonly spans: FaultSpan[] = [];
  private readonly open = new Map<number, FaultSpan>();
  private readonly killsDown = new Set<FaultSpan>();

  take(event: HistoryEvent): void {
    if (event.type === 'boot') {
      for (const kill of this.killsDown) if (kill.targets?.includes(event.process)) this.end(kill, event.t);
    } else if (event.type === 'fault' && event.phase === 'start') {
      const { spec, faultId } = event;
      const span: FaultSpan = {
        faultId,
        kind: spec.kind,
        startMs: event.t,
        ...('targets' in spec && { targets: spec.targets }),
        ...('mode' in spec && { mode: spec.mode }),
      };
      this.spans.push(span);
      this.open.set(faultId, span);
      if (spec.kind === 'kill') this.killsDown.add(span);
    } else if (event.type === 'fault') {
      const span = this.open.get(event.faultId);
      if (span) this.end(span, event.t);
    }
  }

  private end(span: FaultSpan, atMs: number): void {
    this.open.delete(span.faultId);
    this.killsDown.delete(span);
    span.stopMs = atMs;
  }
}

/** Every fault of the history as a span, in start order. */
export function faultSpans(events: EventLog): FaultSpan[] {
  const fold = new FaultSpanFold();
  for (const event of events) fold.take(event);
  return fold.spans;
}

/** The faults whose span overlaps [fromMs, toMs]. */
export function faultsDuring(spans: readonly FaultSpan[], fromMs: number, toMs: number): FaultSpan[] {
  return spans.filter((span) => span.startMs <= toMs && (span.stopMs ?? Number.POSITIVE_INFINITY) >= fromMs);
}
