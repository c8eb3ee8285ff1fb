// The records as the app keeps them on the device, the local source of truth the UI reads, plus the
// pull cursor, on whichever schema the database is at. Every module writing to the device database
// shares its transaction, so a record write and its enqueue always commit together.
import type Database from 'better-sqlite3';
import type { Entity, Fields, ServerRecord } from '../../adapter.ts';

export interface LocalRecord {
  entity: Entity;
  id: string;
  fields: Fields;
  /** The server version this record builds on; 0 until the server has acknowledged its create. */
  serverVersion: number;
  deleted: boolean;
}

interface RecordRow {
  entity: Entity;
  id: string;
  fields: string;
  server_version: number;
  deleted: number;
}

interface RecordParams {
  id: string;
  fields: string;
  serverVersion: number;
  deleted: number;
}

/**
 * Where a schema keeps the records of one entity: v3 in a table of its own (`folders`, `notes`);
 * v1 and v2 in the generic `records` table, told apart by its `entity` column.
 */
interface RecordTable {
  name: string;
  shared: boolean;
}

const ENTITY_TABLES: Record<Entity, RecordTable> = { folder: { name: 'folders', shared: false }, note: { name: 'notes', shared: false } };
const GENERIC_TABLE: RecordTable = { name: 'records', shared: true };

function tableStatements(db: Database.Database, entity: Entity, schemaVersion: number) {
  const { name: table, shared } = schemaVersion >= 3 ? ENTITY_TABLES[entity] : GENERIC_TABLE;
  const [entityColumn, entityValue, ofEntity] = shared ? [', entity', `, '${entity}'`, ` AND entity = '${entity}'`] : ['', '', ''];
  const upsert = `INSERT INTO ${table} (id, fields, server_version, deleted${entityColumn})
    VALUES (@id, @fields, @serverVersion, @deleted${entityValue})
    ON CONFLICT(id) DO UPDATE SET fields = excluded.fields, server_version = excluded.server_version, deleted = excluded.deleted`;
  return {
    select: db.prepare<[string], RecordRow>(
      `SELECT '${entity}' AS entity, id, fields, server_version, deleted FROM ${table} WHERE id = ?${ofEntity}`,
    ),
    put: db.prepare<[RecordParams]>(upsert),
    // A pulled version never replaces a newer one, nor a record whose local edits are still queued or in conflict;
    // but one that holds just what the device shows of a record whose queued changes the server all refused does:
    // the server took one of them after all (a refusal is not remembered, so a copy of the push that the network
    // delivered again was judged again, and applied). The record stays shown failed, and the user's next edit goes
    // on that version: on the old one, the server would meet it as concurrent with their own change (everything seed 92).
    putPulled: db.prepare<[RecordParams]>(
      `${upsert} WHERE excluded.server_version > ${table}.server_version
        AND NOT EXISTS (SELECT 1 FROM conflicts WHERE record_id = excluded.id)
        AND (NOT EXISTS (SELECT 1 FROM pending_changes WHERE object_id = excluded.id)
          OR (NOT EXISTS (SELECT 1 FROM pending_changes WHERE object_id = excluded.id AND status <> 'failed')
            AND excluded.deleted = ${table}.deleted
            AND (excluded.deleted = 1 OR (
              (SELECT count(*) FROM json_each(excluded.fields)) = (SELECT count(*) FROM json_each(${table}.fields))
              AND NOT EXISTS (SELECT 1 FROM json_each(excluded.fields) AS pulled
                WHERE json_type(${table}.fields, pulled.fullkey) IS NOT pulled.type
                  OR json_extract(${table}.fields, pulled.fullkey) IS NOT pulled.value)))))`,
    ),
  };
}

/** The store on schema `schemaVersion` (the `records` the UI lists is a table before v3, a view over both from v3). */
export class LocalStore {
  private readonly tables: Record<Entity, ReturnType<typeof tableStatements>>;
  private readonly selectSettled;
  private readonly selectEvery;
  private readonly selectState;
  private readonly putState;
  private readonly runAtomically: (work: () => unknown) => unknown;

  constructor(db: Database.Database, schemaVersion: number) {
    this.tables = { folder: tableStatements(db, 'folder', schemaVersion), note: tableStatements(db, 'note', schemaVersion) };
    this.selectSettled = db.prepare<[], { entity: Entity; id: string }>(
      `SELECT entity, id FROM records WHERE deleted = 0 AND server_version > 0
         AND NOT EXISTS (SELECT 1 FROM pending_changes WHERE object_id = records.id)
         AND NOT EXISTS (SELECT 1 FROM conflicts WHERE record_id = records.id)`,
    );
    this.selectEvery = db.prepare<[], RecordRow>('SELECT entity, id, fields, server_version, deleted FROM records ORDER BY id');
    this.selectState = db.prepare<[string], { value: number }>('SELECT value FROM sync_state WHERE key = ?');
    this.putState = db.prepare<[string, number]>(
      'INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    this.runAtomically = db.transaction((work: () => unknown) => work());
  }

  record(entity: Entity, id: string): LocalRecord | undefined {
    const row = this.tables[entity].select.get(id);
    return row && toLocalRecord(row);
  }

  /** Every record the device holds, tombstones included, by id. */
  allRecords(): LocalRecord[] {
    return this.selectEvery.all().map((row) => toLocalRecord(row));
  }

  put(record: LocalRecord): void {
    this.tables[record.entity].put.run(toParams(record.id, record.fields, record.serverVersion, record.deleted));
  }

  /**
   * Stores a pulled record unless the device holds a newer version, queued edits or an open conflict for it; queued
   * changes that were all refused do not keep out a version whose state is the one the device shows.
   */
  putPulled(record: ServerRecord): void {
    this.tables[record.entity].putPulled.run(toParams(record.id, record.fields, record.version, record.deleted));
  }

  /** The live records the server acknowledged that have no queued edits or open conflict: what a pull may replace. */
  settledRecords(): { entity: Entity; id: string }[] {
    return this.selectSettled.all();
  }

  cursor(): number {
    return this.selectState.get('cursor')?.value ?? 0;
  }

  setCursor(cursor: number): void {
    this.putState.run('cursor', cursor);
  }

  /** The server epoch this device last resynced at (EPOCH_HEADER); undefined before its first resync. */
  epoch(): number | undefined {
    return this.selectState.get('epoch')?.value;
  }

  setEpoch(epoch: number): void {
    this.putState.run('epoch', epoch);
  }

  /** The version a server restore lost that the change pushing a record again builds on (resync.ts); undefined for any other change. */
  lostVersion(changeId: string): number | undefined {
    return this.selectState.get(`lost:${changeId}`)?.value;
  }

  setLostVersion(changeId: string, version: number): void {
    this.putState.run(`lost:${changeId}`, version);
  }

  /** Runs `work` atomically; nested calls become savepoints. */
  transaction<T>(work: () => T): T {
    return this.runAtomically(work) as T;
  }
}

function toParams(id: string, fields: Fields, serverVersion: number, deleted: boolean): RecordParams {
  return { id, fields: JSON.stringify(fields), serverVersion, deleted: deleted ? 1 : 0 };
}

function toLocalRecord(row: RecordRow): LocalRecord {
  return {
    entity: row.entity,
    id: row.id,
    fields: JSON.parse(row.fields) as Fields,
    serverVersion: row.server_version,
    deleted: row.deleted === 1,
  };
}
