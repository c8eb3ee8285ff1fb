// A list an app hands out again, read as edits of the one it handed out before: runs of the very frozen
// objects met again where that list had them, and between the runs, places that give way to new items.
// The history's reads and the user's picks keep facts per place this way, so a look costs what changed.
import type { ListSplice, VisibleRecord } from '../adapter.ts';

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

/** The app's splices from a list it showed before to the one it shows now, if it can tell (adapter.ts, `listSplices`). */
export type SplicesFrom = (from: readonly VisibleRecord[]) => readonly ListSplice[] | undefined;

/** A stretch of a list as splices leave it: places `from` to `to` (exclusive) of the list before them, or one new item. */
type Piece<T> = { from: number; to: number } | { item: T };

/**
 * The edits that make list `records` of the list before it (`length` places long), from the app's splices of one
 * into the other, applied in turn (adapter.ts, `listSplices`): what a walk of the two lists would find, without
 * opening every record. Undefined when the splices do not fit: one falls outside the list it applies to, or
 * they make a list of another length than `records`, or put a record where `records` has another.
 */
export function editsOfSplices(splices: readonly ListSplice[], length: number, records: readonly VisibleRecord[]): Edit<VisibleRecord>[] | undefined {
  const pieces: Piece<VisibleRecord>[] = length > 0 ? [{ from: 0, to: length }] : [];
  let size = length;
  for (const { at, removed, record } of splices) {
    if (!Number.isInteger(at) || (removed !== 0 && removed !== 1) || at < 0 || at + removed > size) return undefined;
    let index = 0;
    let start = 0;
    while (index < pieces.length && start + pieceLength(pieces[index] as Piece<VisibleRecord>) <= at) start += pieceLength(pieces[index++] as Piece<VisibleRecord>);
    const piece = pieces[index];
    // the place `at` starts a piece of its own
    if (piece && 'from' in piece && at > start) {
      pieces.splice(index, 1, { from: piece.from, to: piece.from + at - start }, { from: piece.from + at - start, to: piece.to });
      index++;
    }
    if (removed === 1) {
      const gone = pieces[index] as Piece<VisibleRecord>;
      if ('item' in gone || gone.to - gone.from === 1) pieces.splice(index, 1);
      else pieces[index] = { from: gone.from + 1, to: gone.to };
      size--;
    }
    if (record) {
      pieces.splice(index, 0, { item: record });
      size++;
    }
  }
  const edits: Edit<VisibleRecord>[] = [];
  let keptTo = 0;
  let items: VisibleRecord[] = [];
  for (const piece of pieces) {
    if ('item' in piece) {
      items.push(piece.item);
      continue;
    }
    if (piece.from > keptTo || items.length > 0) edits.push({ from: keptTo, to: piece.from, items });
    items = [];
    keptTo = piece.to;
  }
  if (keptTo < length || items.length > 0) edits.push({ from: keptTo, to: length, items });
  return size === records.length && itemsInPlace(edits, records) ? edits : undefined;
}

/** Whether each item the edits bring in is the record `records` holds at the place the edits give it. */
function itemsInPlace(edits: readonly Edit<VisibleRecord>[], records: readonly VisibleRecord[]): boolean {
  let shift = 0;
  for (const { from, to, items } of edits) {
    for (let at = 0; at < items.length; at++) if (records[from + shift + at] !== items[at]) return false;
    shift += items.length - (to - from);
  }
  return true;
}

function pieceLength(piece: Piece<unknown>): number {
  return 'item' in piece ? 1 : piece.to - piece.from;
}

/**
 * `array` with `edits` made, in ascending places, in place (the caller is done with the array as it was): each
 * item moves at most twice however many edits change the length, where a splice per edit would move the tail each time.
 */
export function edited<T>(array: T[], edits: readonly Edit<T>[]): T[] {
  let shift = 0;
  let behind = false;
  let ahead = false;
  for (const { from, to, items } of edits) {
    shift += items.length - (to - from);
    behind ||= shift < 0;
    ahead ||= shift > 0;
  }
  if (!ahead) return editedForward(array, edits);
  if (!behind) return editedBackward(array, edits);
  // both ways: take the places out going forward, then put the items in going backward
  let removed = 0;
  const insertions = edits.map(({ from, to, items }) => {
    const at = from - removed;
    removed += to - from;
    return { from: at, to: at, items };
  });
  editedForward(array, edits.map(({ from, to }) => ({ from, to, items: [] })));
  return editedBackward(array, insertions);
}

/** `edited` for edits that never leave an item later than it was: a pass forward, each item moved once. */
function editedForward<T>(array: T[], edits: readonly Edit<T>[]): T[] {
  const first = edits[0];
  if (!first) return array;
  let read = first.from;
  let write = read;
  for (const { from, to, items } of edits) {
    while (read < from) array[write++] = array[read++] as T;
    for (const item of items) array[write++] = item;
    read = to;
  }
  while (read < array.length) array[write++] = array[read++] as T;
  array.length = write;
  return array;
}

/** `edited` for edits that never leave an item earlier than it was: a pass backward from the end. */
function editedBackward<T>(array: T[], edits: readonly Edit<T>[]): T[] {
  const growth = edits.reduce((places, { from, to, items }) => places + items.length - (to - from), 0);
  let read = array.length;
  // grown by pushes of an item already there, so the array keeps its kind of elements (no holes)
  const filler = (edits.find(({ items }) => items.length > 0) as Edit<T>).items[0] as T;
  for (let count = 0; count < growth; count++) array.push(filler);
  let write = array.length;
  for (let at = edits.length - 1; at >= 0; at--) {
    const { from, to, items } = edits[at] as Edit<T>;
    while (read > to) array[--write] = array[--read] as T;
    for (let item = items.length - 1; item >= 0; item--) array[--write] = items[item] as T;
    read = from;
  }
  return array;
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
