// Budgets (`thresholds:` in a scenario or the project config): limits on numbers report.json already
// carries per case, in the manner of k6 thresholds and Artillery's `ensure`. Each metric names where
// its value lives and its unit; durations are written as everywhere else in a scenario ("30s").
import { z } from 'zod';
import { expecting } from './expectation.ts';
import { durationValue, section } from './fields.ts';

/** `duration`: simulated ms, written "30s"; `count`: a plain number (a rate per hour may be fractional). */
export type ThresholdUnit = 'duration' | 'count';

/** Every metric a budget may limit, with its unit and where report.json holds it. */
export const THRESHOLD_METRICS = {
  save_to_commit_p50: { unit: 'duration', description: 'Median time from a write saved on the device to its commit by the server (summary.saveToAckMs.p50).' },
  save_to_commit_p95: { unit: 'duration', description: '95th percentile of the time from a write saved on the device to its commit by the server (summary.saveToAckMs.p95).' },
  save_to_commit_p99: { unit: 'duration', description: '99th percentile of the time from a write saved on the device to its commit by the server (summary.saveToAckMs.p99).' },
  save_to_commit_max: { unit: 'duration', description: 'Longest time from a write saved on the device to its commit by the server (summary.saveToAckMs.max).' },
  peak_queue_depth: { unit: 'count', description: 'Most writes one device held saved but not yet committed at once (metrics.peakQueueDepth).' },
  retries: { unit: 'count', description: 'Failed syncs the clients logged, each retried after a backoff (metrics.retries).' },
  retries_per_hour: { unit: 'count', description: 'Failed syncs per hour of simulated time (metrics.retries over simulatedMs).' },
  conflicts: { unit: 'count', description: 'Conflicts the clients logged (counts.conflicts).' },
  overwritten: { unit: 'count', description: 'Saved writes a concurrent change replaced with a logged conflict (summary.overwritten).' },
  unknown_outcome: { unit: 'count', description: 'Writes whose app died before the save returned (counts.unknownOutcome).' },
  sync_requests: { unit: 'count', description: 'Requests the devices sent to the server (counts.syncRequests).' },
  wire_bytes: { unit: 'count', description: 'Bytes of the messages sent on the network (metrics.wire.bytes).' },
  dropped_messages: { unit: 'count', description: 'Messages the network dropped (metrics.wire.dropped).' },
} as const satisfies Record<string, { unit: ThresholdUnit; description: string }>;

export type ThresholdMetric = keyof typeof THRESHOLD_METRICS;
export const THRESHOLD_METRIC_NAMES = Object.keys(THRESHOLD_METRICS) as ThresholdMetric[];

/** Budgets as the run reads them: each metric's limit, in ms for a duration, as a number otherwise. */
export type Thresholds = Partial<Record<ThresholdMetric, number>>;

function limitOf(unit: ThresholdUnit) {
  return unit === 'duration'
    ? durationValue({ allowZero: true })
    : z.number({ error: expecting('a number >= 0', 'a number') }).min(0, { error: expecting('a number >= 0', 'a number') });
}

/** The `thresholds:` mapping: a metric name to its limit; a case whose metric exceeds a limit fails with a `budget` violation. */
export const thresholdsSection = section(
  Object.fromEntries(
    Object.entries(THRESHOLD_METRICS).map(([name, { unit, description }]) => [
      name,
      limitOf(unit)
        .optional()
        .meta({ description: `${description} Limit: ${unit === 'duration' ? 'a duration like "30s"' : 'a number'}.` }),
    ]),
  ) as { [M in ThresholdMetric]: z.ZodOptional<ReturnType<typeof limitOf>> },
  'metric budgets (metric name: limit)',
);

/** The limits given, with the metrics left out dropped. */
export function resolveThresholds(given: Record<string, number | undefined>): Thresholds {
  return Object.fromEntries(Object.entries(given).filter(([, limit]) => limit !== undefined)) as Thresholds;
}
