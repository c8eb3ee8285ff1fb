// Collects a run's events in order and hashes them as NDJSON lines while they arrive, so the
// event-log hash is the fingerprint of exactly what happened: same scenario and seed, same hash.
// A long run's log moves to disk once it is large, and each pass over it reads it back.
import { createHash, type Hash } from 'node:crypto';
import type { VisibleRecord } from '../adapter.ts';
import type { EventLog, HistoryEvent, ReadEvent } from './events.ts';
import { edited, editsOfSplices, EditWalk, isFrozenRecord, NOT_FROZEN, type Edit, type Matchable, type SplicesFrom } from './list-edits.ts';
import { CountFold } from './counts.ts';
import { FaultSpanFold, type FaultSpan } from './fault-spans.ts';
import { SpillFile } from './spill-file.ts';

/**
 * Events held in memory before the log moves to disk: about 10 devices × 80 simulated minutes of the standard
 * workload, above the bench's one-hour run and every shipped scenario. A longer run's heap stays flat from then
 * on, so neither its memory nor the garbage collector's work grows with its length.
 */
export const SPILL_AFTER_EVENTS = 60_000;

/** The characters of log lines gathered before the digest reads them: the same bytes in the same order, so the same hash. */
const DIGEST_CHUNK_CHARS = 65_536;

export class History {
  private eventList: HistoryEvent[] | undefined = [];
  private spill: SpillFile | undefined;
  private readonly digest: Hash = createHash('sha256');
  /** NDJSON lines not yet fed to the digest: fed a chunk at a time, one native call for many events. */
  private undigested = '';
  /** The log in order, the same object for every pass: from memory, or read back from disk once spilled. */
  readonly events: EventLog = { [Symbol.iterator]: () => this.replay() };
  /** Per device, what its previous read showed. */
  private readonly shown = new Map<string, Shown>();
  private readonly spanFold = new FaultSpanFold();
  private readonly countFold = new CountFold();

  constructor(private readonly spillAfterEvents = SPILL_AFTER_EVENTS) {}

  append(event: HistoryEvent): void {
    this.spanFold.take(event);
    this.countFold.take(event);
    const line = JSON.stringify(event);
    this.undigested += line + '\n';
    if (this.undigested.length >= DIGEST_CHUNK_CHARS) this.digestLines();
    if (this.spill) return this.spill.write(line);
    this.eventList?.push(event);
    if ((this.eventList?.length ?? 0) >= this.spillAfterEvents) this.spillToDisk();
  }

  /** The faults so far as spans (fault-spans.ts), taken as the events arrived: no pass over the log. */
  get faultSpans(): readonly FaultSpan[] {
    return this.spanFold.spans;
  }

  /** The counts so far (counts.ts), taken as the events arrived. */
  get counts(): CountFold['counts'] {
    return this.countFold.counts;
  }

  /** Whether the log has moved to disk. */
  get spilled(): boolean {
    return this.spill !== undefined;
  }

  /**
   * Records what a device's app showed: all of it at a launch, what changed since its previous read at a look.
   * `splicesFrom` gives, when the app can tell, the splices that made `records` of the list it showed before
   * (adapter.ts, `listSplices`): the look then opens only the records they bring in.
   */
  appendRead(t: number, process: string, at: ReadEvent['at'], records: readonly VisibleRecord[], splicesFrom?: SplicesFrom): void {
    const before = at === 'boot' ? undefined : this.shown.get(process);
    const splices = before?.unique ? splicesFrom?.(before.list) : undefined;
    const edits = before && splices && editsOfSplices(splices, before.entries.length, records);
    const read = (before && edits && readByEdits(before, edits)) || (before?.unique && lookedAgain(before, records)) || readAnew(before, records);
    this.shown.set(process, { ...read.shown, list: records });
    this.append({ t, type: 'read', process, at, records: read.changed, ...(read.removed.length > 0 && { removed: read.removed }) });
  }

  /** No device reads again (the run has ended): what each one's last read showed is let go. */
  endReads(): void {
    this.shown.clear();
  }

  private spillToDisk(): void {
    const spill = new SpillFile();
    for (const event of this.eventList ?? []) spill.write(JSON.stringify(event));
    this.spill = spill;
    this.eventList = undefined;
  }

  private *replay(): Generator<HistoryEvent> {
    if (!this.spill) return yield* this.eventList ?? [];
    for (const line of this.spill.lines()) yield JSON.parse(line) as HistoryEvent;
  }

  /** The first 16 hex digits of the SHA-256 of the NDJSON event log so far. */
  hash(): string {
    this.digestLines();
    return this.digest.copy().digest('hex').slice(0, 16);
  }

  private digestLines(): void {
    this.digest.update(this.undigested);
    this.undigested = '';
  }
}

/** A record a read showed: the history's copy of it, and the object the app handed out. */
interface ShownRecord {
  copy: VisibleRecord;
  handed: VisibleRecord;
  /** The handed object and its fields were frozen when it was handed out: they stay so, and unchanged. */
  frozen: boolean;
}

/** What a device's previous read showed: its records in the order listed, and each record by id. */
interface Shown {
  /** The list as the app handed it out: what its splices to the next start from. */
  list: readonly VisibleRecord[];
  entries: ShownRecord[];
  /** Beside `entries`, the object handed out at each place where it was frozen: what a look compares, without opening an entry. */
  matchable: Matchable[];
  byId: Map<string, ShownRecord>;
  /** No id was listed twice: then `entries[at]` is the record listed at `at`, and a look can go by positions. */
  unique: boolean;
}

interface Read {
  shown: Omit<Shown, 'list'>;
  /** Copies of the records new or different since the previous read. */
  changed: VisibleRecord[];
  /** The ids the previous read showed and this one does not, in the previous read's order. */
  removed: string[];
}

/**
 * A read compared record by record with the previous one by id: the only way for a list with an id twice
 * or objects the app may change later; a record is unchanged when it is the very frozen object, or alike.
 */
function readAnew(before: Shown | undefined, records: readonly VisibleRecord[]): Read {
  const byId = new Map<string, ShownRecord>();
  const changed: VisibleRecord[] = [];
  let newIds = 0;
  for (const record of records) {
    const previous = before?.byId.get(record.id);
    if (!previous && !byId.has(record.id)) newIds++;
    byId.set(record.id, entryFor(previous, record, changed));
  }
  // every id shown before is shown again unless fewer of them than before are left
  const beforeIds = before?.byId.size ?? 0;
  const removed = byId.size - newIds === beforeIds ? [] : [...new Set(before?.entries.map((entry) => entry.copy.id))].filter((id) => !byId.has(id));
  const unique = byId.size === records.length;
  const entries = records.map((record) => byId.get(record.id) as ShownRecord);
  return { shown: { entries, matchable: entries.map(matchableOf), byId, unique }, changed, removed };
}

/**
 * A look compared with the previous read by positions first: a run of records handed out again as the very
 * frozen objects where the previous read had them is unchanged, found by a walk that only compares, and kept
 * where it is, so a look costs about what changed. Anything else is looked up by id, as `readAnew` does; an
 * id listed twice hands the look over to it (undefined).
 */
function lookedAgain(before: Shown, records: readonly VisibleRecord[]): Read | undefined {
  const { entries: previousEntries, matchable, byId } = before;
  /** The places of the previous read whose record this look met there (1). */
  const metAt = new Uint8Array(previousEntries.length);
  const changed: VisibleRecord[] = [];
  /** Records not met in their place: by id, with what they are now. */
  const elsewhere = new Map<string, ShownRecord>();
  const walk = new EditWalk<ShownRecord>(records, matchable);
  let newIds = 0;
  /** Each previous entry's place, indexed the first time a look meets a record away from where the walk is. */
  let placeOfEntry: Map<ShownRecord, number> | undefined;
  const previousPlace = (entry: ShownRecord): number => {
    // changed in its place, or just after one record gone: the reference client's cases, with no index
    if (previousEntries[walk.next] === entry) return walk.next;
    if (previousEntries[walk.next + 1] === entry) return walk.next + 1;
    placeOfEntry ??= new Map(previousEntries.map((each, place) => [each, place]));
    return placeOfEntry.get(entry) ?? -1;
  };
  while (walk.at < records.length) {
    const run = walk.keepRun();
    if (run > 0) {
      metAt.fill(1, walk.next - run, walk.next);
      continue;
    }
    const record = records[walk.at] as VisibleRecord;
    if (elsewhere.has(record.id)) return undefined;
    const previous = byId.get(record.id);
    if (!previous) newIds++;
    else {
      // its place in the previous read: ahead of the walk, which then goes on after it, or behind it, where it may have been met
      const place = previousPlace(previous);
      if (place >= walk.next) walk.next = place + 1;
      else if (metAt[place] === 1) return undefined;
    }
    const entry = entryFor(previous, record, changed);
    elsewhere.set(record.id, entry);
    walk.add(entry);
  }
  const edits = walk.finished();
  const removed: string[] = [];
  if (records.length - newIds !== previousEntries.length) {
    for (let place = metAt.indexOf(0); place !== -1; place = metAt.indexOf(0, place + 1)) {
      const { id } = (previousEntries[place] as ShownRecord).copy;
      if (!elsewhere.has(id)) removed.push(id);
    }
  }
  return editedRead(before, edits, elsewhere, changed, removed);
}

/**
 * A look read from the edits the app's splices make (list-edits.ts): the records they bring in are compared by
 * id with what the previous read showed, as a walk compares those it does not meet again. An id the look would
 * list twice hands it over to `readAnew` (undefined).
 */
function readByEdits(before: Shown, recordEdits: readonly Edit<VisibleRecord>[]): Read | undefined {
  const { entries: previousEntries, byId } = before;
  /** The ids at the places the edits take away, in the previous read's order. */
  const goneIds = new Set<string>();
  for (const { from, to } of recordEdits) for (let place = from; place < to; place++) goneIds.add((previousEntries[place] as ShownRecord).copy.id);
  const changed: VisibleRecord[] = [];
  const elsewhere = new Map<string, ShownRecord>();
  const edits: Edit<ShownRecord>[] = [];
  for (const { from, to, items } of recordEdits) {
    const entries: ShownRecord[] = [];
    for (const record of items) {
      const previous = byId.get(record.id);
      if (elsewhere.has(record.id) || (previous && !goneIds.has(record.id))) return undefined;
      const entry = entryFor(previous, record, changed);
      elsewhere.set(record.id, entry);
      entries.push(entry);
    }
    edits.push({ from, to, items: entries });
  }
  return editedRead(before, edits, elsewhere, changed, [...goneIds].filter((id) => !elsewhere.has(id)));
}

/** The previous read with `edits` made: the entries of `elsewhere` in by id, the `removed` ids out. */
function editedRead(before: Shown, edits: Edit<ShownRecord>[], elsewhere: ReadonlyMap<string, ShownRecord>, changed: VisibleRecord[], removed: string[]): Read {
  const { entries: previousEntries, matchable, byId } = before;
  for (const id of removed) byId.delete(id);
  for (const [id, entry] of elsewhere) byId.set(id, entry);
  const entries = edited(previousEntries, edits);
  const matchableNow = edited(matchable, edits.map(({ from, to, items }) => ({ from, to, items: items.map(matchableOf) })));
  return { shown: { entries, matchable: matchableNow, byId, unique: true }, changed, removed };
}

function matchableOf(entry: ShownRecord): Matchable {
  return entry.frozen ? entry.handed : NOT_FROZEN;
}

/** What a read keeps of `record`: the previous entry when the app shows it alike, else a copy, which joins `changed`. */
function entryFor(previous: ShownRecord | undefined, record: VisibleRecord, changed: VisibleRecord[]): ShownRecord {
  if (previous && ((previous.frozen && previous.handed === record) || sameRecord(previous.copy, record))) {
    return previous.handed === record && previous.frozen ? previous : entryOf(previous.copy, record);
  }
  // a copy, so that an app that later changes the objects it handed out changes neither the history nor the comparison;
  // a plain object frozen with its fields cannot change, so it is its own copy and a long run keeps each record once
  const copy = isPlainFrozen(record) ? record : { ...record, fields: { ...record.fields } };
  changed.push(copy);
  return entryOf(copy, record);
}

function entryOf(copy: VisibleRecord, handed: VisibleRecord): ShownRecord {
  return { copy, handed, frozen: isFrozenRecord(handed) };
}

/** A frozen record and fields of no class of their own (a `toJSON` or getter on a prototype could read otherwise than a copy): immutable as they are. */
function isPlainFrozen(record: VisibleRecord): boolean {
  return isFrozenRecord(record) && Object.getPrototypeOf(record) === Object.prototype && Object.getPrototypeOf(record.fields) === Object.prototype;
}

/** Whether an app shows `a` and `b` alike: the same kind, status, reason and field values. */
function sameRecord(a: VisibleRecord, b: VisibleRecord): boolean {
  if (a.entity !== b.entity || a.status !== b.status || a.reason !== b.reason) return false;
  const names = Object.keys(b.fields);
  return names.length === Object.keys(a.fields).length && names.every((name) => Object.hasOwn(a.fields, name) && a.fields[name] === b.fields[name]);
}
