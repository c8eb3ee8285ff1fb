// The numbers report.json carries per case besides the run's counts: conflicts by policy,
// save-to-ack latency percentiles, peak queue depth, retries, and messages and bytes on the wire.
// All derived from the event log and its timeline, so a user's own client gets them too.
import type { HistoryEvent } from '../history/events.ts';
import type { CaseTimeline } from './timeline.ts';

export interface CaseMetrics {
  /** Conflicts the clients logged, by the policy they named (`unnamed` when a client did not say). */
  conflictsByPolicy: Record<string, number>;
  /** From a user's save to the server's acknowledgement (see TimelineWrite.ackMs), over the writes that got one. */
  saveToAckMs: { p50: number; p95: number; p99: number; max: number } | null;
  /** The most writes any one device held saved but unacknowledged at once. */
  peakQueueDepth: number;
  /** Failed syncs the clients logged (`sync-failed`): each is retried after a backoff. */
  retries: number;
  wire: { messages: number; bytes: number; dropped: number };
}

export function deriveMetrics(events: readonly HistoryEvent[], timeline: CaseTimeline): CaseMetrics {
  const conflictsByPolicy: Record<string, number> = {};
  let retries = 0;
  const wire = { messages: 0, bytes: 0, dropped: 0 };
  for (const event of events) {
    if (event.type === 'client' && event.event === 'conflict') {
      const policy = typeof event.data?.policy === 'string' ? event.data.policy : 'unnamed';
      conflictsByPolicy[policy] = (conflictsByPolicy[policy] ?? 0) + 1;
    } else if (event.type === 'client' && event.event === 'sync-failed') {
      retries++;
    } else if (event.type === 'message' && event.fate === 'sent') {
      wire.messages++;
      wire.bytes += event.sizeBytes;
    } else if (event.type === 'message' && event.fate === 'dropped') {
      wire.dropped++;
    }
  }
  const latencies = timeline.writes.flatMap((write) => (write.ackMs === undefined ? [] : [write.ackMs - write.atMs])).sort((a, b) => a - b);
  const peakQueueDepth = Math.max(0, ...Object.values(timeline.queueDepth).flatMap((series) => series.map(([, depth]) => depth)));
  return { conflictsByPolicy, saveToAckMs: percentiles(latencies), peakQueueDepth, retries, wire };
}

/** Nearest-rank percentiles of sorted values; null when there are none. */
export function percentiles(sorted: readonly number[]): CaseMetrics['saveToAckMs'] {
  if (sorted.length === 0) return null;
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { p50: rank(50), p95: rank(95), p99: rank(99), max: sorted.at(-1)! };
}
