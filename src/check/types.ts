// What every checker reads and returns. A checker sees only the recorded history and the final
// states, never the simulation, and reports `{ valid, violations }` instead of throwing.
import type { ServerRecord, VisibleRecord } from '../adapter.ts';
import type { HistoryEvent } from '../history/events.ts';

export interface DeviceFinalState {
  deviceId: string;
  records: VisibleRecord[];
  /** Manual conflicts still waiting in the device's inbox. */
  openConflicts: number;
}

export interface CheckInput {
  events: readonly HistoryEvent[];
  devices: DeviceFinalState[];
  /** Every server record, tombstones included. */
  server: ServerRecord[];
}

export interface Violation {
  checker: string;
  /** One line a person can act on. */
  summary: string;
  record?: { entity: string; id: string };
  device?: string;
}

export interface CheckResult {
  valid: boolean | 'unknown';
  violations: Violation[];
  /** Why the result is `unknown`: the checker itself failed. */
  error?: string;
}

export type Checker = (input: CheckInput) => CheckResult;
