// The run in numbers, as Jepsen's set checker reads a history: writes attempted, acknowledged,
// lost (by class), duplicated, resurrected, of unknown outcome, and how long a saved write took to
// reach the server (simulated ms, p50/p95/p99/max).
import { causalityOf } from './history-index.ts';
import { classifyWrites } from './judgement.ts';
import type { CheckInput, CheckResult } from './types.ts';

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface RunSummary {
  attempted: number;
  acknowledged: number;
  /** Acknowledged writes whose value is gone and the scenario does not allow it (silent, regressed, vanished; overwritten unless allowed). */
  lost: number;
  /** Acknowledged writes a concurrent change replaced with a logged conflict. */
  overwritten: number;
  /** Acknowledged writes whose value a conflict copy still holds. */
  kept: number;
  duplicated: number;
  resurrected: number;
  unknownOutcome: number;
  /** From the device's acknowledgement of a write to the server's commit of it; null when none reached it. */
  saveToAckMs: Percentiles | null;
}

export function summarize(input: CheckInput, checks: Record<string, CheckResult>): RunSummary {
  const causality = causalityOf(input.events);
  const writes = causality.writes;
  const allowed = new Set(input.allow ?? []);
  const classified = classifyWrites(input);
  const writesIn = (accept: (entry: (typeof classified)[number]) => boolean) => new Set(classified.filter(accept).map((entry) => entry.write)).size;
  const latencies = writes.flatMap((write) => {
    const committedMs = write.token === undefined ? undefined : causality.firstCommitMs.get(write.token);
    return write.outcome === 'ok' && write.doneMs !== undefined && committedMs !== undefined ? [Math.max(0, committedMs - write.doneMs)] : [];
  });
  return {
    attempted: writes.length,
    acknowledged: writes.filter((write) => write.outcome === 'ok').length,
    lost: writesIn((entry) => ['silent', 'regressed', 'vanished'].includes(entry.class) || (entry.class === 'overwritten' && !allowed.has('overwritten'))),
    overwritten: writesIn((entry) => entry.class === 'overwritten'),
    kept: writesIn((entry) => entry.class === 'kept'),
    duplicated: checks.duplicate?.violations.length ?? 0,
    resurrected: checks.resurrection?.violations.length ?? 0,
    unknownOutcome: writes.filter((write) => write.outcome === 'info').length,
    saveToAckMs: percentiles(latencies),
  };
}

function percentiles(values: number[]): Percentiles | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (share: number) => sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] as number;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1) as number };
}
