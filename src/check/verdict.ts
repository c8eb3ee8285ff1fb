// A case's outcome and the one rule that turns checker results into its verdict. A case passes only
// when every checker it ran proved its property (`valid: true`); a violation (`false`) fails it, and so
// does a checker that threw (`unknown`): a release gate must never pass on a property nobody proved.
import type { ServerRecord } from '../adapter.ts';
import type { RunCounts } from '../history/counts.ts';
import type { FaultSpan } from '../history/fault-spans.ts';
import type { History } from '../history/history.ts';
import type { ScheduledFault } from '../scenario/fault-specs.ts';
import type { RunSummary } from './summary.ts';
import type { CheckResult, DeviceFinalState, Violation } from './types.ts';

/** `error`: the system under test threw, so no checker judged the case. */
export type Verdict = 'pass' | 'fail' | 'error';

export function verdictOf(checks: Record<string, CheckResult>): Exclude<Verdict, 'error'> {
  return Object.values(checks).every((check) => check.valid === true) ? 'pass' : 'fail';
}

export interface RunResult {
  seed: number;
  verdict: Verdict;
  eventLogHash: string;
  counts: RunCounts;
  simulatedMs: number;
  quiesced: boolean;
  checks: Record<string, CheckResult>;
  violations: Violation[];
  /** The run in Jepsen's numbers: attempted, acknowledged, lost, duplicated, resurrected, save-to-ack latency; absent after an error. */
  summary?: RunSummary;
  /** Why the verdict is `error`: the system under test threw. */
  error?: { message: string; stack?: string };
  history: History;
  /** When each fault was in force (history/fault-spans.ts), derived once per case: what the checkers read and the report's timeline draws. */
  faultSpans: readonly FaultSpan[];
  /** The faults the nemesis drew for this seed (with their parameters, in swarm mode). */
  drawnFaults: ScheduledFault[];
  /** What the run noticed about the setup and says once without failing the case (a nemesis kind skipped for this client). */
  warnings: string[];
  /** What the checkers judged: every device's visible records and the server's; absent after an error. */
  finalStates?: FinalStates;
}

export interface FinalStates {
  devices: DeviceFinalState[];
  server: ServerRecord[];
}


