// What each device showed, read by read: the session checkers walk every `read` event of the history
// (at launch and before each user action) with the causality oracle, per device and record field.
import type { Fields } from '../adapter.ts';
import type { HistoryEvent } from '../history/events.ts';
import { isToken, type Causality } from './causality.ts';
import { loggedConflictTokens } from './evidence.ts';

/** The token fields of a shown record: `[field, token]` pairs. */
export function shownTokens(fields: Fields): [string, string][] {
  return Object.entries(fields).filter((entry): entry is [string, string] => isToken(entry[1]));
}

/**
 * `replaced(token, field, atMs)`: whether a conflict logged at or before `atMs` named `token` or a value
 * built on it, so its disappearance was owned up to.
 */
export function conflictLog(events: readonly HistoryEvent[], causality: Causality): (token: string, field: string, atMs: number) => boolean {
  const logged = [...loggedConflictTokens(events)];
  return (token, field, atMs) => logged.some(([value, firstMs]) => firstMs <= atMs && causality.includes(value, token, field));
}
