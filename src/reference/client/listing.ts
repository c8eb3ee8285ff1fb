// The live records the UI lists, read incrementally so a listing costs what changed, not the whole
// dataset: TEMP triggers hand the entity and id of every record row written, by whatever code writes it,
// to a function that notes them in memory, and each listing after the first reads only those rows. A write
// that rolls back leaves its note behind: reading that row again shows what the table holds, so it costs nothing.
import type Database from 'better-sqlite3';
import type { Entity, Fields } from '../../adapter.ts';
import type { LocalRecord } from './local-store.ts';

interface ListedRow {
  entity: Entity;
  id: string;
  fields: string | null;
  server_version: number | null;
  deleted: number | null;
}

/** The SQL function the triggers call with the (entity, id) pairs of the rows a write touched. */
const NOTE_FUNCTION = 'listing_note_written';

/** The tables holding each entity's records on a schema: its own from v3, the generic `records` before. */
function recordTables(schemaVersion: number): Record<Entity, { table: string; ofEntity: string }> {
  if (schemaVersion >= 3) return { folder: { table: 'folders', ofEntity: '' }, note: { table: 'notes', ofEntity: '' } };
  return { folder: { table: 'records', ofEntity: " AND r.entity = 'folder'" }, note: { table: 'records', ofEntity: " AND r.entity = 'note'" } };
}

/**
 * Triggers that note every row an insert, update or delete touches (an update's row before and after, in
 * case its id moved), with its entity: the table's, or for the generic table the row's `entity` column.
 */
function triggersSql(tables: Record<Entity, { table: string }>): string {
  const entities = Object.entries(tables) as [Entity, { table: string }][];
  return [...new Set(entities.map(([, { table }]) => table))]
    .map((table) => {
      const owners = entities.filter(([, owner]) => owner.table === table).map(([entity]) => entity);
      const entityOf = (row: 'new' | 'old') => (owners.length === 1 ? `'${owners[0]}'` : `${row}.entity`);
      const noted = (...rows: ('new' | 'old')[]) => `BEGIN SELECT ${NOTE_FUNCTION}(${rows.map((row) => `${entityOf(row)}, ${row}.id`).join(', ')}); END;`;
      return `
    CREATE TEMP TRIGGER IF NOT EXISTS listing_${table}_insert AFTER INSERT ON main.${table} ${noted('new')}
    CREATE TEMP TRIGGER IF NOT EXISTS listing_${table}_update AFTER UPDATE ON main.${table} ${noted('old', 'new')}
    CREATE TEMP TRIGGER IF NOT EXISTS listing_${table}_delete AFTER DELETE ON main.${table} ${noted('old')}`;
    })
    .join('');
}

/** One step from a listing to the next: the record at `at` goes (`removed` 1), and `record`, if any, takes its place. */
export interface ListingSplice {
  at: number;
  removed: 0 | 1;
  record?: LocalRecord;
}

/** One listing per connection: the triggers call the function by name, so a second listing on it takes the first's notes. */
export class LiveListing {
  private readonly selectAll;
  private readonly selectChanged;
  private readonly inTransaction: () => boolean;
  /** The listing as it was last read, by entity and id (with the fields' JSON it was parsed from), and in the order the UI shows it (by id). */
  private readonly byKey: Record<Entity, Map<string, { record: LocalRecord; text: string }>> = { folder: new Map(), note: new Map() };
  private ordered: LocalRecord[] = [];
  /** The ids of the rows written since the listing was last read, by entity. */
  private readonly written: Record<Entity, Set<string>> = { folder: new Set(), note: new Set() };
  private primed = false;
  /** The listing before the latest read, the latest, and the splices that made one of the other. */
  private lastChange: { from: readonly LocalRecord[]; to: readonly LocalRecord[]; splices: ListingSplice[] } | undefined;

  constructor(db: Database.Database, schemaVersion: number) {
    const tables = recordTables(schemaVersion);
    db.function(NOTE_FUNCTION, { varargs: true }, (...pairs: unknown[]) => {
      for (let at = 0; at < pairs.length; at += 2) this.written[pairs[at] as Entity].add(pairs[at + 1] as string);
      return null;
    });
    db.exec(triggersSql(tables));
    this.selectAll = db.prepare<[], ListedRow>('SELECT entity, id, fields, server_version, deleted FROM records WHERE deleted = 0 ORDER BY id');
    const changedOf = (entity: Entity) =>
      `SELECT '${entity}' AS entity, w.value AS id, r.fields, r.server_version, r.deleted FROM json_each(@${entity}) w
         LEFT JOIN main.${tables[entity].table} r ON r.id = w.value${tables[entity].ofEntity}`;
    this.selectChanged = db.prepare<[Record<Entity, string>], ListedRow>(`${changedOf('folder')} UNION ALL ${changedOf('note')}`);
    this.inTransaction = () => db.inTransaction;
  }

  /**
   * Every live record (tombstones left out), by id: one statement, the whole table the first time (or
   * inside a transaction, whose writes may yet roll back), then the rows written since the last listing
   * outside one, each as the table holds it now, in any order (each row settles one record's place).
   */
  records(): readonly LocalRecord[] {
    if (this.inTransaction()) return this.selectAll.all().map((row) => toRecord(row, row.fields as string));
    if (!this.primed) {
      const rows = this.selectAll.all();
      this.primed = true;
      this.forgetWritten();
      // (entity, id) is each table's key, so no row repeats one
      this.ordered = rows.map((row) => {
        const record = toRecord(row, row.fields as string);
        this.byKey[row.entity].set(row.id, { record, text: row.fields as string });
        return record;
      });
      return this.ordered;
    }
    const { folder, note } = this.written;
    // one statement, even when nothing was written: a kill at the n-th statement strikes where it always did
    const rows = this.selectChanged.all({ folder: JSON.stringify([...folder]), note: JSON.stringify([...note]) });
    this.forgetWritten();
    if (rows.length === 0) return this.ordered;
    // in the listing's order, so each splice lands after the one before: its place is the row's in the last listing, moved by those
    rows.sort(byIdThenEntity);
    const splices: ListingSplice[] = [];
    let shift = 0;
    for (const row of rows) {
      const byId = this.byKey[row.entity];
      const listed = byId.get(row.id);
      const at = positionOf(this.ordered, row) + shift;
      if (row.fields === null || row.deleted !== 0) {
        if (!listed) continue;
        byId.delete(row.id);
        splices.push({ at, removed: 1 });
        shift--;
      } else if (!listed || listed.text !== row.fields || listed.record.serverVersion !== row.server_version) {
        const record = toRecord(row, row.fields);
        byId.set(row.id, { record, text: row.fields });
        const removed = listed ? 1 : 0;
        splices.push({ at, removed, record });
        shift += 1 - removed;
      }
    }
    const ordered = spliced(this.ordered, this.ordered.length, splices);
    this.lastChange = { from: this.ordered, to: ordered, splices };
    this.ordered = ordered;
    return ordered;
  }

  /**
   * The splices that make listing `to` of listing `from`, applied in turn: none when they are the same array,
   * unknown (undefined) unless `to` is the latest read and `from` the one just before it.
   */
  splicesBetween(from: readonly LocalRecord[], to: readonly LocalRecord[]): readonly ListingSplice[] | undefined {
    if (from === to) return [];
    const change = this.lastChange;
    return change?.from === from && change.to === to ? change.splices : undefined;
  }

  private forgetWritten(): void {
    this.written.folder.clear();
    this.written.note.clear();
  }
}

/**
 * The first `length` items of `before` with `splices` made, applied in turn, each after the one before it: built
 * in one pass, in an array of the size it ends at, so a listing costs one copy of what it lists, not one per change.
 */
export function spliced<T>(before: readonly T[], length: number, splices: readonly { at: number; removed: 0 | 1; record?: T }[]): T[] {
  const made = splices.reduce((size, { removed, record }) => size - removed + (record ? 1 : 0), length);
  const after = new Array<T>(made);
  let read = 0;
  let write = 0;
  for (const { at, removed, record } of splices) {
    if (at < write || at - write + removed > length - read) throw new Error(`splice at ${at} falls before the one ahead of it or beyond the list`);
    while (write < at) after[write++] = before[read++] as T;
    read += removed;
    if (record) after[write++] = record;
  }
  while (read < length) after[write++] = before[read++] as T;
  return after;
}

/** Where a record of `row`'s entity and id is, or would go, in `ordered`: a binary search. */
export function positionOf(ordered: readonly LocalRecord[], row: Pick<LocalRecord, 'entity' | 'id'>): number {
  let low = 0;
  let high = ordered.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (byIdThenEntity(ordered[middle]!, row) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** A listed record, its fields parsed once and frozen, since every listing hands the same object out. */
function toRecord(row: ListedRow, text: string): LocalRecord {
  return Object.freeze({
    entity: row.entity,
    id: row.id,
    fields: Object.freeze(JSON.parse(text) as Fields),
    serverVersion: row.server_version ?? 0,
    deleted: false,
  });
}

/** SQLite's `ORDER BY id` (BINARY: byte order, which is code-unit order for the ASCII ids devices make), folders first on a tie. */
function byIdThenEntity(a: Pick<LocalRecord, 'entity' | 'id'>, b: Pick<LocalRecord, 'entity' | 'id'>): number {
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return a.entity === b.entity ? 0 : a.entity === 'folder' ? -1 : 1;
}
