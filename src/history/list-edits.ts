// A list an app hands out again, read as edits of the one it handed out before: runs of the very frozen
// objects met again where that list had them, and between the runs, places that give way to new items.
// The history's reads and the user's picks keep facts per place this way, so a look costs what changed.
import type { VisibleRecord } from '../adapter.ts';

/** What a look can meet again unopened at a place: the record handed out there if it was frozen, else nothing can match. */
export type Matchable = VisibleRecord | typeof NOT_FROZEN;
export const NOT_FROZEN: unique symbol = Symbol('not frozen');

/** The previous list's places `from` to `to` (exclusive) give way to `items`. */
export interface Edit<T> {
  from: number;
  to: number;
  items: T[];
}

/** At most this many edits are made in place, each moving the tail of the array; with more, it is built anew. */
const EDITS_IN_PLACE_MAX = 32;

/** How many records from `records[at]` on are, one by one, the objects `matchable` holds from `matchable[next]` on. */
export function runLength(records: readonly VisibleRecord[], at: number, matchable: readonly Matchable[], next: number): number {
  const offset = at - next;
  let end = next;
  while (end + offset < records.length && records[end + offset] === matchable[end]) end++;
  return end - next;
}

/**
 * `array` with `edits` made, in ascending places: in place when they are few (the caller is done with the
 * array as it was), else built anew, so that a list with many changes does not move its tail again and again.
 */
export function edited<T>(array: T[], edits: readonly Edit<T>[]): T[] {
  if (edits.length <= EDITS_IN_PLACE_MAX) {
    for (let at = edits.length - 1; at >= 0; at--) {
      const { from, to, items } = edits[at] as Edit<T>;
      array.splice(from, to - from, ...items);
    }
    return array;
  }
  const pieces: T[][] = [];
  let keptTo = 0;
  for (const { from, to, items } of edits) {
    pieces.push(array.slice(keptTo, from), items);
    keptTo = to;
  }
  pieces.push(array.slice(keptTo));
  return ([] as T[]).concat(...pieces);
}

/** `bytes` with `edits` made, as `edited` makes them: built anew, a copy of each run kept. */
export function editedBytes(bytes: Uint8Array, edits: readonly Edit<number>[], length: number): Uint8Array {
  const result = new Uint8Array(length);
  let keptTo = 0;
  let at = 0;
  for (const { from, to, items } of edits) {
    result.set(bytes.subarray(keptTo, from), at);
    at += from - keptTo;
    result.set(items, at);
    at += items.length;
    keptTo = to;
  }
  result.set(bytes.subarray(keptTo), at);
  return result;
}
