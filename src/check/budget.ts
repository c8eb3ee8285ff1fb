// Budgets: each limit of `thresholds:` held against the case's own numbers (the ones report.json
// carries), so a team can gate on latency, retries or queue depth as on lost data. A metric over its
// limit is a `budget` violation naming the value measured and the limit; one without a value is `unknown`.
import type { RunCounts } from '../history/counts.ts';
import type { CaseMetrics } from '../history/metrics.ts';
import { formatDuration } from '../scenario/index.ts';
import { THRESHOLD_METRICS, type ThresholdMetric, type Thresholds } from '../scenario/thresholds.ts';
import { clockTime } from '../history/clock-time.ts';
import type { RunSummary } from './summary.ts';
import type { CheckResult, Violation } from './types.ts';

/** The numbers of one case a budget reads. */
export interface BudgetInput {
  counts: RunCounts;
  metrics: CaseMetrics;
  /** Absent when the summary could not be derived. */
  summary?: RunSummary;
  simulatedMs: number;
}

const HOUR_MS = 3_600_000;

/** Each metric's value in a case, or undefined when the case has none (no write reached the server). */
const MEASURES: Record<ThresholdMetric, (input: BudgetInput) => number | undefined> = {
  save_to_commit_p50: ({ summary }) => summary?.saveToAckMs?.p50,
  save_to_commit_p95: ({ summary }) => summary?.saveToAckMs?.p95,
  save_to_commit_p99: ({ summary }) => summary?.saveToAckMs?.p99,
  save_to_commit_max: ({ summary }) => summary?.saveToAckMs?.max,
  peak_queue_depth: ({ metrics }) => metrics.peakQueueDepth,
  retries: ({ metrics }) => metrics.retries,
  retries_per_hour: ({ metrics, simulatedMs }) => (simulatedMs > 0 ? (metrics.retries * HOUR_MS) / simulatedMs : undefined),
  conflicts: ({ counts }) => counts.conflicts,
  overwritten: ({ summary }) => summary?.overwritten,
  unknown_outcome: ({ counts }) => counts.unknownOutcome,
  sync_requests: ({ counts }) => counts.syncRequests,
  wire_bytes: ({ metrics }) => metrics.wire.bytes,
  dropped_messages: ({ metrics }) => metrics.wire.dropped,
};

export function checkBudgets(thresholds: Thresholds, input: BudgetInput): CheckResult {
  const violations: Violation[] = [];
  const unmeasured: string[] = [];
  for (const [metric, limit] of Object.entries(thresholds) as [ThresholdMetric, number][]) {
    const measured = MEASURES[metric](input);
    if (measured === undefined) unmeasured.push(metric);
    else if (measured > limit) violations.push(breach(metric, measured, limit));
  }
  if (violations.length === 0 && unmeasured.length > 0) {
    return { valid: 'unknown', violations, error: `${unmeasured.join(', ')}: no value in this case (no write reached the server), so the budget proves nothing` };
  }
  return { valid: violations.length === 0, violations };
}

function breach(metric: ThresholdMetric, measured: number, limit: number): Violation {
  const { unit } = THRESHOLD_METRICS[metric];
  const [shown, allowed] = unit === 'duration' ? [clockTime(measured), formatDuration(limit)] : [round(measured), String(limit)];
  return {
    checker: 'budget',
    kind: metric,
    summary: `${metric} was ${shown}, over its budget of ${allowed}`,
    budget: { metric, measured, limit, unit },
  };
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
