// What each device showed, read by read: the session checkers walk every `read` event of the history
// (at launch and before each user action) with the causality oracle, per device and record field.
import type { Fields, VisibleRecord } from '../adapter.ts';
import type { EventLog, ReadEvent } from '../history/events.ts';
import type { Causality } from './causality.ts';
import { isToken } from '../history/tokens.ts';
import { loggedConflictTokens } from './evidence.ts';

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
 * `replaced(token, field, atMs)`: whether a conflict logged at or before `atMs` named `token` or a value
 * built on it, so its disappearance was owned up to.
 */
export function conflictLog(events: EventLog, causality: Causality): (token: string, field: string, atMs: number) => boolean {
  const logged = [...loggedConflictTokens(events)];
  return (token, field, atMs) => logged.some(([value, firstMs]) => firstMs <= atMs && causality.includes(value, token, field));
}
