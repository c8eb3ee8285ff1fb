// The numbers report.json carries per case besides the run's counts and the checkers' summary
// (which has the save-to-ack latency): conflicts by policy, peak queue depth, retries, and
// messages and bytes on the wire. Derived from the event log, so a user's own client gets them too.
import type { EventLog } from './events.ts';
import type { CaseTimeline } from './timeline.ts';

export interface CaseMetrics {
  /** Conflicts the clients logged, by the policy they named (`unnamed` when a client did not say). */
  conflictsByPolicy: Record<string, number>;
  /** The most writes any one device held saved but not yet answered by the server at once (see CaseTimeline.queueDepth). */
  peakQueueDepth: number;
  /** Failed syncs the clients logged (`sync-failed`): each is retried after a backoff. */
  retries: number;
  wire: { messages: number; bytes: number; dropped: number };
}

export function deriveMetrics(events: EventLog, timeline: CaseTimeline): CaseMetrics {
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
  const peakQueueDepth = Math.max(0, ...Object.values(timeline.queueDepth).flatMap((series) => series.map(([, depth]) => depth)));
  return { conflictsByPolicy, peakQueueDepth, retries, wire };
}
