// The evidence a violation carries, drawn from the history: the writes involved as references a
// report can print (tokens, never user text) and which values the clients logged as conflicts; the
// faults around them come from history/fault-spans.ts. Shared by every checker so violations read the same way.
import type { EventLog } from '../history/events.ts';
import type { Write } from './causality.ts';
import { isToken } from '../history/tokens.ts';
import type { WriteRef } from './types.ts';

export function writeRef(write: Write, field?: string): WriteRef {
  return {
    device: write.device,
    op: write.op,
    f: write.f,
    atMs: write.atMs,
    ...(field && { field }),
    ...(write.token && { token: write.token }),
    outcome: write.outcome,
  };
}

/** A write in words: `t:d2:w17 (update by d2 at 252.3s, acknowledged)`. */
export function describeWrite(write: Write): string {
  const outcome = { ok: 'acknowledged', fail: 'refused', info: 'outcome unknown', pending: 'never returned' }[write.outcome];
  return `${write.token ?? write.f} (${write.f} by ${write.device} at ${simTime(write.atMs)}, ${outcome})`;
}

/** Simulated time as seconds: `252.3s`. */
export function simTime(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** The tokens logged conflicts mention (`env.log('conflict', …)`), with when each was first named: values a client admitted it replaced. */
export function loggedConflictTokens(events: EventLog): Map<string, number> {
  const firstMs = new Map<string, number>();
  for (const event of events) {
    if (event.type !== 'client' || event.event !== 'conflict') continue;
    for (const token of tokensIn(event.data)) if (!firstMs.has(token)) firstMs.set(token, event.t);
  }
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

/**
 * When each device's app told of trouble with a record through its log (`change-rejected`, `conflict`):
 * `noticed(device, id, fromMs)` says whether it did at or after `fromMs`. A surfaced failure is not a silent one.
 */
export function recordNotices(events: EventLog, kinds: readonly string[]): (device: string, id: string, fromMs: number) => boolean {
  const latest = new Map<string, number>();
  for (const event of events) {
    if (event.type === 'client' && kinds.includes(event.event) && typeof event.data?.id === 'string') latest.set(`${event.process}\u0000${event.data.id}`, event.t);
  }
  return (device, id, fromMs) => (latest.get(`${device}\u0000${id}`) ?? Number.NEGATIVE_INFINITY) >= fromMs;
}
