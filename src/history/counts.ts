// What a run did, in numbers: writes attempted and acknowledged, outcomes unknown, conflicts logged,
// requests and messages, and the resume phase's share. Taken from the events as the history records
// them, so every client is counted by one rule and no pass over the log is needed.
import type { HistoryEvent } from './events.ts';

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

type HistoryCounts = Omit<RunCounts, 'devices' | 'events'>;

/** The counts of a history, taken event by event as it is written or read; `devices` and `events` come from the run. */
export class CountFold {
  readonly counts: HistoryCounts = { writes: 0, acknowledged: 0, unknownOutcome: 0, conflicts: 0, syncRequests: 0, messages: 0, resumeWrites: 0, resumeAcknowledged: 0 };
  private resumed = false;

  take(event: HistoryEvent): void {
    const { counts } = this;
    if (event.type === 'phase' && event.phase === 'resume') this.resumed = true;
    if (event.type === 'client' && event.event === 'conflict') counts.conflicts++;
    if (event.type === 'message' && event.fate === 'sent') {
      counts.messages++;
      if (event.direction === 'to-server') counts.syncRequests++;
    }
    if ((event.type !== 'invoke' && event.type !== 'ok' && event.type !== 'info') || event.f === 'refresh') return;
    if (event.type === 'info') counts.unknownOutcome++;
    else if (event.type === 'invoke') {
      counts.writes++;
      if (this.resumed) counts.resumeWrites++;
    } else {
      counts.acknowledged++;
      if (this.resumed) counts.resumeAcknowledged++;
    }
  }
}
