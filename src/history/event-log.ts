// Single passes over an event log, for logs that are arrays or histories read back from disk alike:
// the first event that matches, and when the last one happened.
import type { EventLog, HistoryEvent } from './events.ts';

export function findEvent<T extends HistoryEvent>(events: EventLog, matches: (event: HistoryEvent) => event is T): T | undefined {
  for (const event of events) if (matches(event)) return event;
  return undefined;
}

/** The simulated time of the log's last event, ms (0 for an empty log). */
export function lastEventMs(events: EventLog): number {
  let lastMs = 0;
  for (const event of events) lastMs = event.t;
  return lastMs;
}
