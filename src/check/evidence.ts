// The evidence a violation carries, drawn from the history: the writes involved as references a
// report can print (tokens, never user text) and which values the clients logged as conflicts; the
// faults around them come from history/fault-spans.ts. Shared by every checker so violations read the same way.
import type { EventLog } from '../history/events.ts';
import type { Write } from './causality.ts';
import { clockTime } from '../history/clock-time.ts';
import { historyIndexOf, type Noticed } from './history-index.ts';
import type { WriteRef } from './types.ts';

/**
 * What became of a user's call, in the app's words: `ok` means the app's save resolved ("saved on
 * device"), which is not the server's commit; that one is told apart as "committed by the server".
 */
export const OUTCOME_WORDS: Record<WriteRef['outcome'], string> = { ok: 'saved on device', fail: 'refused', info: 'outcome unknown', pending: 'never returned' };

export function writeRef(write: Write, field?: string): WriteRef {
  return {
    device: write.device,
    op: write.op,
    f: write.f,
    atMs: write.atMs,
    ...(field && { field }),
    ...(write.token && { token: write.token }),
    outcome: write.outcome,
    ...(write.committedMs !== undefined && { committedMs: write.committedMs }),
  };
}

/** A write in words: `t:d2:w17 (update by d2 at 4m12s, saved on device, …)`, or `delete by d2 at 15.4s (saved on device, …)`. */
export function describeWrite(write: Write): string {
  const what = `${write.f} by ${write.device} at ${clockTime(write.atMs)}`;
  return write.token ? `${write.token} (${what}, ${outcomeWords(write)})` : `${what} (${outcomeWords(write)})`;
}

/** `saved on device, never committed by the server`: the call's outcome and, unless it was refused, whether the server has it. */
export function outcomeWords(write: Pick<WriteRef, 'outcome' | 'committedMs'>): string {
  if (write.outcome === 'fail') return OUTCOME_WORDS.fail;
  const commit = write.committedMs === undefined ? 'never committed by the server' : `committed by the server at ${clockTime(write.committedMs)}`;
  return `${OUTCOME_WORDS[write.outcome]}, ${commit}`;
}

/**
 * The tokens logged conflicts mention (`env.log('conflict', …)`), with when each was first named: values a client
 * admitted it replaced. From the history's shared index (history-index.ts), read once however many checkers ask.
 */
export function loggedConflictTokens(events: EventLog): ReadonlyMap<string, number> {
  return historyIndexOf(events).loggedConflictTokens;
}

/**
 * When each device's app told of trouble with a record through its log (`change-rejected`, `conflict`):
 * `noticed(device, id, fromMs)` says whether it did at or after `fromMs`. A surfaced failure is not a silent one.
 */
export function recordNotices(events: EventLog, kinds: readonly string[]): Noticed {
  return historyIndexOf(events).notices(kinds);
}
