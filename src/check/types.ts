// What every checker reads and returns. A checker sees only the recorded history and the final
// states, never the simulation, and reports `{ valid, violations }` instead of throwing.
import type { Conflict, ServerRecord, VisibleRecord } from '../adapter.ts';
import type { EventLog, HistoryEvent, OperationKind } from '../history/events.ts';
import type { FaultSpan } from '../history/fault-spans.ts';

export interface DeviceFinalState {
  deviceId: string;
  records: VisibleRecord[];
  /** Manual conflicts still waiting in the device's inbox. */
  openConflicts: number;
  /** Their contents, where the client has an inbox: the values a user can still reach. */
  conflicts?: Conflict[];
}

export interface CheckInput {
  events: EventLog;
  /** The faults of `events` as spans (history/fault-spans.ts), derived once per case for every checker. */
  faultSpans: readonly FaultSpan[];
  devices: DeviceFinalState[];
  /** Every server record, tombstones included. */
  server: ServerRecord[];
  /** Lost-write classes the scenario accepts for its policy (`allow:`), e.g. `overwritten` under server-wins. */
  allow?: readonly string[];
  /** Whether every device settled before the quiescence timeout. */
  quiesced?: boolean;
  /** False when the server under test does not report its commits into the history (an external server). */
  commitLog?: boolean;
  /** The scenario's retry budget: most sync attempts per device in any hour while offline. */
  retryBudgetPerHour?: number;
}

/** One user write a violation involves, as the history recorded it. */
export interface WriteRef {
  device: string;
  /** The operation number on that device (the invoke's `op`). */
  op: number;
  f: OperationKind;
  /** Simulated time of the invoke, ms. */
  atMs: number;
  field?: string;
  /** The unique token the write set (never the user's text: reports stay private). */
  token?: string;
  /** `ok`: the app's save resolved ("saved on device", not yet the server's commit); `info`: the app died first; `fail`: refused; `pending`: never returned. */
  outcome: 'ok' | 'fail' | 'info' | 'pending';
  /** When the server first committed the write (its token, or for a delete the record's tombstone), ms; absent when it never did. */
  committedMs?: number;
}

export interface Violation {
  checker: string;
  /** One line a person can act on. */
  summary: string;
  /** The sub-kind, where the checker has them: the lost-write class (`silent`, `regressed`, …). */
  kind?: string;
  record?: { entity: string; id: string };
  /** The record a dangling reference names (integrity: the folder a note points at): the cause is filed under it (check/causes.ts). */
  refersTo?: { entity: string; id: string };
  device?: string;
  /** The writes involved, oldest first. */
  writes?: WriteRef[];
  /** The faults that overlapped the writes' span. */
  faults?: FaultSpan[];
  /** A `budget` violation's metric, the value the case measured and the limit it broke (ms for a duration). */
  budget?: { metric: string; measured: number; limit: number; unit: 'duration' | 'count' };
}

export interface CheckResult {
  valid: boolean | 'unknown';
  violations: Violation[];
  /** Why the result is `unknown`: the checker itself failed. */
  error?: string;
}

/** A checker's judgement as a fold over the log (check/fold.ts): each event once, in order, then the verdict. */
export interface CheckFold {
  take(event: HistoryEvent): void;
  finish(): CheckResult;
}

/**
 * Judges one case. A checker that reads the log event by event also offers `start`, the same judgement as
 * a fold (check/fold.ts), so runChecks can read the log once for all of them.
 */
export interface Checker {
  (input: CheckInput): CheckResult;
  start?: (input: CheckInput) => CheckFold;
}
