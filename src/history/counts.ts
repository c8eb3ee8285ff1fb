// What a run did, in numbers: writes attempted and acknowledged, outcomes unknown, conflicts logged,
// requests and messages, and the resume phase's share. Derived from the event log in one pass, so the
// run, the reports and a replay all count alike, for any client.
import type { EventLog } from './events.ts';

export interface RunCounts {
  devices: number;
  writes: number;
  acknowledged: number;
  /** Writes whose app died before the call returned (Jepsen's `info`): they may or may not have happened. */
  unknownOutcome: number;
  /** Conflicts the clients logged, whatever their policy. */
  conflicts: number;
  syncRequests: number;
  messages: number;
  events: number;
  /** Writes the users made in the resume phase (every fault healed), and how many of them the app acknowledged. */
  resumeWrites: number;
  resumeAcknowledged: number;
}

/** The counts the history holds, in one pass over it (it may be read back from disk); `devices` and `events` come from the run. */
export function countEvents(events: EventLog): Omit<RunCounts, 'devices' | 'events'> {
  const counts = { writes: 0, acknowledged: 0, unknownOutcome: 0, conflicts: 0, syncRequests: 0, messages: 0, resumeWrites: 0, resumeAcknowledged: 0 };
  let resumed = false;
  for (const event of events) {
    if (event.type === 'phase' && event.phase === 'resume') resumed = true;
    if (event.type === 'client' && event.event === 'conflict') counts.conflicts++;
    if (event.type === 'message' && event.fate === 'sent') {
      counts.messages++;
      if (event.direction === 'to-server') counts.syncRequests++;
    }
    if ((event.type !== 'invoke' && event.type !== 'ok' && event.type !== 'info') || event.f === 'refresh') continue;
    if (event.type === 'info') counts.unknownOutcome++;
    else if (event.type === 'invoke') {
      counts.writes++;
      if (resumed) counts.resumeWrites++;
    } else {
      counts.acknowledged++;
      if (resumed) counts.resumeAcknowledged++;
    }
  }
  return counts;
}
