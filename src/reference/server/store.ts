// The reference server's storage: the records (tombstones included) with the change sequence
// number that drives pull cursors, and the change ids already applied, for idempotent replays.
import type Database from 'better-sqlite3';
import type { Entity, Fields, ServerRecord } from '../../adapter.ts';

export interface AppliedChange {
  recordId: string;
  version: number;
}

interface RecordRow {
  entity: Entity;
  id: string;
  fields: string;
  version: number;
  deleted: number;
}

export class ServerStore {
  private readonly selectRecord;
  private readonly upsertRecord;
  private readonly selectApplied;
  private readonly insertApplied;
  private readonly selectSince;
  private readonly selectAll;
  private readonly selectLastSeq;
  private readonly runAtomically: (work: () => unknown) => unknown;

  constructor(readonly db: Database.Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS records (
        id TEXT PRIMARY KEY,
        entity TEXT NOT NULL,
        fields TEXT NOT NULL,
        version INTEGER NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        seq INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS records_by_seq ON records(seq);
      CREATE TABLE IF NOT EXISTS applied_changes (
        change_id TEXT PRIMARY KEY,
        record_id TEXT NOT NULL,
        version INTEGER NOT NULL
      );
    `);
    this.runAtomically = db.transaction((work: () => unknown) => work());
    this.selectRecord = db.prepare<[string], RecordRow>('SELECT entity, id, fields, version, deleted FROM records WHERE id = ?');
    this.upsertRecord = db.prepare(
      `INSERT INTO records (id, entity, fields, version, deleted, seq) VALUES (@id, @entity, @fields, @version, @deleted, @seq)
       ON CONFLICT(id) DO UPDATE SET fields = @fields, version = @version, deleted = @deleted, seq = @seq`,
    );
    this.selectApplied = db.prepare<[string], AppliedChange>(
      'SELECT record_id AS recordId, version FROM applied_changes WHERE change_id = ?',
    );
    this.insertApplied = db.prepare('INSERT INTO applied_changes (change_id, record_id, version) VALUES (?, ?, ?)');
    this.selectSince = db.prepare<[number, number], RecordRow & { seq: number }>(
      'SELECT entity, id, fields, version, deleted, seq FROM records WHERE seq > ? ORDER BY seq LIMIT ?',
    );
    this.selectAll = db.prepare<[], RecordRow>('SELECT entity, id, fields, version, deleted FROM records ORDER BY id');
    this.selectLastSeq = db.prepare<[], { seq: number | null }>('SELECT MAX(seq) AS seq FROM records');
  }

  record(id: string): ServerRecord | undefined {
    const row = this.selectRecord.get(id);
    return row && toRecord(row);
  }

  /** The record a change already applied to and the version it produced, if it was applied. */
  applied(changeId: string): AppliedChange | undefined {
    return this.selectApplied.get(changeId);
  }

  /** Stores a record's new state, stamps it with the next sequence number and remembers the change. */
  write(record: ServerRecord, changeId: string): void {
    const seq = (this.selectLastSeq.get()?.seq ?? 0) + 1;
    this.upsertRecord.run({
      id: record.id,
      entity: record.entity,
      fields: JSON.stringify(record.fields),
      version: record.version,
      deleted: record.deleted ? 1 : 0,
      seq,
    });
    this.insertApplied.run(changeId, record.id, record.version);
  }

  changesSince(cursor: number, limit: number): { records: ServerRecord[]; cursor: number; hasMore: boolean } {
    const rows = this.selectSince.all(cursor, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { records: page.map(toRecord), cursor: last ? last.seq : cursor, hasMore: rows.length > limit };
  }

  all(): ServerRecord[] {
    return this.selectAll.all().map(toRecord);
  }

  /** Runs `work` atomically; nested calls become savepoints. */
  transaction<T>(work: () => T): T {
    return this.runAtomically(work) as T;
  }
}

function toRecord(row: RecordRow): ServerRecord {
  return {
    entity: row.entity,
    id: row.id,
    fields: JSON.parse(row.fields) as Fields,
    version: row.version,
    deleted: row.deleted === 1,
  };
}
