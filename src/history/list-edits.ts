// A list an app hands out again, read as edits of the one it handed out before: runs of the very frozen
// objects met again where that list had them, and between the runs, places that give way to new items.
// The history's reads and the user's picks keep facts per place this way, so a look costs what changed.
import type { VisibleRecord } from '../adapter.ts';

/** What a look can meet again unopened at a place: the record handed out there if it was frozen, else nothing can match. */
export type Matchable = VisibleRecord | typeof NOT_FROZEN;
export const NOT_FROZEN: unique symbol = Symbol('not frozen');

/** A record and its fields frozen: an app handing it out again cannot have changed it since. */
export function isFrozenRecord(record: VisibleRecord): boolean {
  return Object.isFrozen(record) && Object.isFrozen(record.fields);
}

/** The previous list's places `from` to `to` (exclusive) give way to `items`. */
export interface Edit<T> {
  from: number;
  to: number;
  items: T[];
}

/** At most this many edits are made in place, each moving the tail of the array; with more, it is built anew. */
const EDITS_IN_PLACE_MAX = 32;

/**
 * A walk of a new list (`records`, at `at`) beside the previous one (`matchable`, at `next`) that gathers the
 * edits: the walker keeps the runs met again in their places, and adds an item for each record between them.
 */
export class EditWalk<T> {
  at = 0;
  next = 0;
  private keptTo = 0;
  private items: T[] = [];
  private readonly edits: Edit<T>[] = [];

  constructor(
    private readonly records: readonly VisibleRecord[],
    private readonly matchable: readonly Matchable[],
  ) {}

  /** Keeps the run of records met again where the walk is, comparing only, and steps past it: its length (0 for none). */
  keepRun(): number {
    const { records, matchable, next } = this;
    const offset = this.at - next;
    let end = next;
    while (end + offset < records.length && records[end + offset] === matchable[end]) end++;
    if (end === next) return 0;
    if (next > this.keptTo || this.items.length > 0) this.edits.push({ from: this.keptTo, to: next, items: this.items });
    this.items = [];
    this.at += end - next;
    this.next = end;
    this.keptTo = end;
    return end - next;
  }

  /** The record at the walk becomes `item`, and the walk steps past it. */
  add(item: T): void {
    this.items.push(item);
    this.at++;
  }

  /** The edits, once the walk has passed the last record: the previous list's places after the last run kept give way. */
  finished(): Edit<T>[] {
    if (this.keptTo < this.matchable.length || this.items.length > 0) this.edits.push({ from: this.keptTo, to: this.matchable.length, items: this.items });
    return this.edits;
  }
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
