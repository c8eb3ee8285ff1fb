// The evidence a violation carries, drawn from the history: the writes involved as references a
// report can print (tokens, never user text) and which values the clients logged as conflicts; the
// faults around them come from history/fault-spans.ts. Shared by every checker so violations read the same way.
import type { EventLog } from '../history/events.ts';
import type { Write } from './causality.ts';
import { clockTime } from '../history/clock-time.ts';
import { isToken } from '../history/tokens.ts';
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

const loggedOf = new WeakMap<EventLog, ReadonlyMap<string, number>>();

/**
 * The tokens logged conflicts mention (`env.log('conflict', …)`), with when each was first named: values a client
 * admitted it replaced. Read once per history however many checkers ask: a long run's log is read back from disk on every pass.
 */
export function loggedConflictTokens(events: EventLog): ReadonlyMap<string, number> {
  const known = loggedOf.get(events);
  if (known) return known;
  const firstMs = new Map<string, number>();
  for (const event of events) {
    if (event.type !== 'client' || event.event !== 'conflict') continue;
    for (const token of tokensIn(event.data)) if (!firstMs.has(token)) firstMs.set(token, event.t);
  }
  loggedOf.set(events, firstMs);
  return firstMs;
}

/** Every token anywhere inside a logged value. */
export function tokensIn(value: unknown): Set<string> {
  const tokens = new Set<string>();
  collectTokens(value, tokens);
  return tokens;
}

function collectTokens(value: unknown, into: Set<string>): void {
  if (isToken(value)) into.add(value);
  else if (Array.isArray(value)) for (const item of value) collectTokens(item, into);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) collectTokens(item, into);
}

type Noticed = (device: string, id: string, fromMs: number) => boolean;

const noticesOf = new WeakMap<EventLog, Map<string, Noticed>>();

/**
 * When each device's app told of trouble with a record through its log (`change-rejected`, `conflict`):
 * `noticed(device, id, fromMs)` says whether it did at or after `fromMs`. A surfaced failure is not a silent one.
 * Read once per history and kinds, however many checkers ask.
 */
export function recordNotices(events: EventLog, kinds: readonly string[]): Noticed {
  const known = noticesOf.get(events) ?? new Map<string, Noticed>();
  noticesOf.set(events, known);
  const key = kinds.join('\u0000');
  const noticed = known.get(key) ?? noticesIn(events, kinds);
  known.set(key, noticed);
  return noticed;
}

function noticesIn(events: EventLog, kinds: readonly string[]): Noticed {
  const latest = new Map<string, number>();
  for (const event of events) {
    if (event.type === 'client' && kinds.includes(event.event) && typeof event.data?.id === 'string') latest.set(`${event.process}\u0000${event.data.id}`, event.t);
  }
  return (device, id, fromMs) => (latest.get(`${device}\u0000${id}`) ?? Number.NEGATIVE_INFINITY) >= fromMs;
}
