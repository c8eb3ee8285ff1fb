// What each device showed, read by read: the session checkers walk every `read` event of the history
// (at launch and before each user action) with the causality oracle, per device and record field.
import type { Fields, VisibleRecord } from '../adapter.ts';
import type { EventLog, ReadEvent } from '../history/events.ts';
import type { Causality } from './causality.ts';
import { isToken } from '../history/tokens.ts';
import { historyIndexOf } from './history-index.ts';

/**
 * Rebuilds, read by read, everything a device shows: a launch's read holds all of it, a look only
 * what changed. Returns a function to call on each `read` event in order, answering that device's view.
 */
export function shownViews(): (read: ReadEvent) => ReadonlyMap<string, VisibleRecord> {
  const views = new Map<string, Map<string, VisibleRecord>>();
  return (read) => {
    const view = read.at === 'boot' ? new Map<string, VisibleRecord>() : (views.get(read.process) ?? new Map<string, VisibleRecord>());
    for (const id of read.removed ?? []) view.delete(id);
    for (const record of read.records) view.set(record.id, record);
    views.set(read.process, view);
    return view;
  };
}

/** The token fields of a shown record: `[field, token]` pairs. */
export function shownTokens(fields: Fields): [string, string][] {
  return Object.entries(fields).filter((entry): entry is [string, string] => isToken(entry[1]));
}

/**
 * `replaced(token, field, atMs, device)`: whether a logged conflict named `token` or a value built on it, so its
 * disappearance from `device`'s read at `atMs` was owned up to. The device's own app must have said so by the
 * read; another device's app says so for the whole system, whose log may come after the read by a response's
 * trip, so it counts from when the server replaced the token (a server-side policy such as LWW does so unasked).
 */
export function conflictLog(events: EventLog, causality: Causality): (token: string, field: string, atMs: number, device: string) => boolean {
  const logged = [...historyIndexOf(events).conflictLoggers];
  return (token, field, atMs, device) => {
    const replacedMs = () => causality.replacedMs(causality.writeOf(token)?.id ?? '', token, field) ?? Number.POSITIVE_INFINITY;
    return logged.some(
      ([value, loggers]) => causality.includes(value, token, field) && [...loggers].some(([logger, firstMs]) => firstMs <= atMs || (logger !== device && replacedMs() <= atMs)),
    );
  };
}
