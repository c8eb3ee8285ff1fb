// What the user saw at each place of the list they last looked at, as the few facts a pick needs: the
// record's id, note or folder, a note's folder, made on this device or not. Kept from look to look as edits
// of that list (history/list-edits.ts), so a look opens only the records new since, not all the device holds.
import type { VisibleRecord } from '../adapter.ts';
import { SystemUnderTestError } from '../errors.ts';
import { edited, editedBytes, editsOfSplices, EditWalk, isFrozenRecord, NOT_FROZEN, type Edit, type Matchable, type SplicesFrom } from '../history/list-edits.ts';

export const OTHER = 0;
export const NOTE = 1;
export const FOLDER = 2;

/** The facts of one place, worked out from its record. */
interface Facts {
  matchable: Matchable;
  id: string;
  kind: number;
  folderId: unknown;
  createdHere: number;
}

/** Ids beyond twice the list's length that the set of ids shown may hold before it is rebuilt. */
const IDS_SHOWN_SLACK = 64;

/** How far past the walk a record met again is looked for before every place is indexed. */
const NEAR_PLACES = 4;

/**
 * Every this many looks the app tells by splices, the first among them, the splices are checked against the whole
 * list: an app whose splices leave a change out fails the run (the system under test) instead of hiding it.
 */
export const SPLICES_CHECKED_EVERY = 64;

export class SeenPlaces {
  /** The list as the app handed it out at the last look: what its splices to the next start from. */
  private list: readonly VisibleRecord[] = [];
  private splicedLooks = 0;
  private matchable: Matchable[] = [];
  private ids: string[] = [];
  private folderIds: unknown[] = [];
  private kinds: Uint8Array = new Uint8Array(0);
  private createdHereFlags: Uint8Array = new Uint8Array(0);
  /** How many places show a note in each folder id: a folder is in use while this is above 0. */
  private readonly notesIn = new Map<unknown, number>();
  /** The ids the places have shown since this set was last rebuilt from them: a place can show an id only if it is here. */
  private idsShown = new Set<string>();
  /** Every frozen record a look has had: a record met is one the last list may have had only if it is here. */
  private readonly recordsHad = new WeakSet<VisibleRecord>();

  constructor(private readonly createdHere: ReadonlySet<string>) {}

  /** Per place: NOTE, FOLDER or OTHER (an entity the workload does not know). */
  get kindAt(): Uint8Array {
    return this.kinds;
  }

  /** Per place: 1 when the record was created on this device. */
  get createdHereAt(): Uint8Array {
    return this.createdHereFlags;
  }

  /** Whether the place holds a folder some listed note is in. */
  inUse(at: number): boolean {
    return (this.notesIn.get(this.ids[at]) ?? 0) > 0;
  }

  /**
   * Record `id` was just made on this device (it joined the set of those made here): a place of the last look
   * that shows it says so from now on. Rare (the app listed the record before it made it): then a walk of the ids.
   */
  madeHere(id: string): void {
    if (!this.idsShown.has(id)) return;
    for (let at = 0; at < this.ids.length; at++) if (this.ids[at] === id) this.createdHereFlags[at] = 1;
  }

  /** Takes the list the user looks at now; `splicesFrom`, when the app can tell, gives the splices that made it of the last one. */
  look(records: readonly VisibleRecord[], splicesFrom?: SplicesFrom): void {
    const splices = splicesFrom?.(this.list);
    const recordEdits = splices && editsOfSplices(splices, this.matchable.length, records);
    if (recordEdits && this.splicedLooks++ % SPLICES_CHECKED_EVERY === 0) assertSplicesMake(this.list, recordEdits, records);
    const edits = recordEdits ? recordEdits.map(({ from, to, items }) => ({ from, to, items: items.map((record) => this.factsOf(record)) })) : this.editsTo(records);
    this.list = records;
    for (const { from, to, items } of edits) {
      for (let place = from; place < to; place++) if (this.kinds[place] === NOTE) bump(this.notesIn, this.folderIds[place], -1);
      for (const facts of items) if (facts.kind === NOTE) bump(this.notesIn, facts.folderId, 1);
    }
    const field = <K extends keyof Facts>(name: K) => edits.map(({ from, to, items }) => ({ from, to, items: items.map((facts) => facts[name]) }));
    this.matchable = edited(this.matchable, field('matchable'));
    this.ids = edited(this.ids, field('id'));
    this.folderIds = edited(this.folderIds, field('folderId'));
    this.kinds = editedBytes(this.kinds, field('kind'), records.length);
    this.createdHereFlags = editedBytes(this.createdHereFlags, field('createdHere'), records.length);
    // ids no place shows any longer are let go now and then, so the set stays about the size of the list
    if (this.idsShown.size > 2 * this.ids.length + IDS_SHOWN_SLACK) this.idsShown = new Set(this.ids);
  }

  /** The edits that make the list last seen into `records`: runs kept, and the facts of every record between them. */
  private editsTo(records: readonly VisibleRecord[]): Edit<Facts>[] {
    const { matchable } = this;
    const walk = new EditWalk<Facts>(records, matchable);
    /** Each frozen record's place in the last list, indexed the first time one is not found near the walk. */
    let placeOfRecord: Map<Matchable, number> | undefined;
    const placeAhead = (record: VisibleRecord): number => {
      if (!this.recordsHad.has(record)) return -1;
      for (let place = walk.next + 1; place <= walk.next + NEAR_PLACES && place < matchable.length; place++) if (matchable[place] === record) return place;
      placeOfRecord ??= new Map(matchable.map((each, place) => [each, place]));
      return placeOfRecord.get(record) ?? -1;
    };
    while (walk.at < records.length) {
      if (walk.keepRun() > 0) continue;
      const record = records[walk.at] as VisibleRecord;
      // met again further on: the places before it are gone, and the walk goes on from it
      const place = placeAhead(record);
      if (place > walk.next) walk.next = place;
      else walk.add(this.factsOf(record));
    }
    return walk.finished();
  }

  private factsOf(record: VisibleRecord): Facts {
    const frozen = isFrozenRecord(record);
    const kind = record.entity === 'note' ? NOTE : record.entity === 'folder' ? FOLDER : OTHER;
    if (frozen) this.recordsHad.add(record);
    this.idsShown.add(record.id);
    return {
      matchable: frozen ? record : NOT_FROZEN,
      id: record.id,
      kind,
      folderId: kind === NOTE ? record.fields.folderId : undefined,
      createdHere: Number(this.createdHere.has(record.id)),
    };
  }

}

/** Throws unless the edits the app's splices make turn list `from` into `to`, place by place. */
function assertSplicesMake(from: readonly VisibleRecord[], edits: readonly Edit<VisibleRecord>[], to: readonly VisibleRecord[]): void {
  const made = edited(from.slice(), edits);
  const differing = made.findIndex((record, place) => record !== to[place]);
  if (differing === -1 && made.length === to.length) return;
  const at = differing === -1 ? made.length : differing;
  const what = (record: VisibleRecord | undefined) => (record ? `${record.entity} ${record.id}` : 'nothing');
  throw new SystemUnderTestError(
    `listSplices() does not make the list list() returned of the one before it: at place ${at} they give ${what(made[at])}, list() shows ${what(to[at])} (docs/adapters.md: the splices must be exact)`,
  );
}

function bump<K>(counts: Map<K, number>, key: K, by: 1 | -1): void {
  const count = (counts.get(key) ?? 0) + by;
  if (count === 0) counts.delete(key);
  else counts.set(key, count);
}
