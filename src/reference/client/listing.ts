// The live records the UI lists, read incrementally so a listing costs what changed, not the whole
// dataset: TEMP triggers note the id of every record row written, by whatever code writes it, inside its
// transaction (a rollback takes the note back too), and each listing after the first reads only those rows.
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

/** The tables holding each entity's records on a schema: its own from v3, the generic `records` before. */
function recordTables(schemaVersion: number): Record<Entity, { table: string; ofEntity: string }> {
  if (schemaVersion >= 3) return { folder: { table: 'folders', ofEntity: '' }, note: { table: 'notes', ofEntity: '' } };
  return { folder: { table: 'records', ofEntity: " AND r.entity = 'folder'" }, note: { table: 'records', ofEntity: " AND r.entity = 'note'" } };
}

/**
 * A written row's id moves to the end of `listing_changes` (deleted, then inserted under a new AUTOINCREMENT
 * seq), so the table holds one row per record and `seq` only grows, whatever conflict clause the write had.
 */
function triggersSql(tables: readonly string[]): string {
  const note = (id: string) => `DELETE FROM temp.listing_changes WHERE id = ${id}; INSERT INTO temp.listing_changes (id) VALUES (${id});`;
  const triggers = tables.map(
    (table) => `
    CREATE TEMP TRIGGER IF NOT EXISTS listing_${table}_insert AFTER INSERT ON main.${table} BEGIN ${note('new.id')} END;
    CREATE TEMP TRIGGER IF NOT EXISTS listing_${table}_update AFTER UPDATE ON main.${table} BEGIN ${note('old.id')} ${note('new.id')} END;
    CREATE TEMP TRIGGER IF NOT EXISTS listing_${table}_delete AFTER DELETE ON main.${table} BEGIN ${note('old.id')} END;`,
  );
  return `CREATE TEMP TABLE IF NOT EXISTS listing_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE);${triggers.join('')}`;
}

export class LiveListing {
  private readonly selectAll;
  private readonly selectChanged;
  private readonly inTransaction: () => boolean;
  /** The listing as of `seenSeq`, by entity and id (with the fields' JSON it was parsed from), and in the order the UI shows it (by id). */
  private readonly byKey = new Map<string, { record: LocalRecord; text: string }>();
  private ordered: LocalRecord[] = [];
  private seenSeq = 0;
  private primed = false;

  constructor(db: Database.Database, schemaVersion: number) {
    const tables = recordTables(schemaVersion);
    db.exec(triggersSql([...new Set(Object.values(tables).map(({ table }) => table))]));
    this.selectAll = db.prepare<[], ListedRow>('SELECT entity, id, fields, server_version, deleted FROM records WHERE deleted = 0 ORDER BY id');
    const changedOf = (entity: Entity) =>
      `SELECT c.seq, '${entity}' AS entity, c.id, r.fields, r.server_version, r.deleted FROM temp.listing_changes c
         LEFT JOIN main.${tables[entity].table} r ON r.id = c.id${tables[entity].ofEntity} WHERE c.seq > @seen`;
    this.selectChanged = db.prepare<[{ seen: number }], ListedRow & { seq: number }>(`${changedOf('folder')} UNION ALL ${changedOf('note')}`);
    this.inTransaction = () => db.inTransaction;
  }

  /**
   * Every live record (tombstones left out), by id: one statement, the whole table the first time (or
   * inside a transaction, whose writes may yet roll back), then the rows written since the last listing.
   */
  records(): readonly LocalRecord[] {
    if (this.inTransaction()) return this.selectAll.all().map((row) => toRecord(row, row.fields as string));
    if (!this.primed) {
      const rows = this.selectAll.all();
      this.primed = true;
      for (const row of rows) this.byKey.set(keyOf(row.entity, row.id), { record: toRecord(row, row.fields as string), text: row.fields as string });
      this.ordered = [...this.byKey.values()].map(({ record }) => record);
      return this.ordered;
    }
    const rows = this.selectChanged.all({ seen: this.seenSeq });
    if (rows.length === 0) return this.ordered;
    const ordered = this.ordered.slice();
    for (const row of rows) {
      this.seenSeq = Math.max(this.seenSeq, row.seq);
      const key = keyOf(row.entity, row.id);
      const listed = this.byKey.get(key);
      const at = positionOf(ordered, row);
      if (row.fields === null || row.deleted !== 0) {
        if (!listed) continue;
        this.byKey.delete(key);
        ordered.splice(at, 1);
      } else if (!listed || listed.text !== row.fields || listed.record.serverVersion !== row.server_version) {
        const record = toRecord(row, row.fields);
        this.byKey.set(key, { record, text: row.fields });
        ordered.splice(at, listed ? 1 : 0, record);
      }
    }
    this.ordered = ordered;
    return ordered;
  }
}

/** Where a record of `row`'s entity and id is, or would go, in `ordered`: a binary search. */
function positionOf(ordered: readonly LocalRecord[], row: Pick<LocalRecord, 'entity' | 'id'>): number {
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

function keyOf(entity: Entity, id: string): string {
  return `${entity}\u0000${id}`;
}

/** SQLite's `ORDER BY id` (BINARY: byte order, which is code-unit order for the ASCII ids devices make), folders first on a tie. */
function byIdThenEntity(a: Pick<LocalRecord, 'entity' | 'id'>, b: Pick<LocalRecord, 'entity' | 'id'>): number {
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return a.entity === b.entity ? 0 : a.entity === 'folder' ? -1 : 1;
}
