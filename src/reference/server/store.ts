// The reference server's storage: every record (tombstones included) with what the conflict
// policies compare (per-field versions, the clientTime and deviceId of its last change), the
// change sequence that drives pull cursors, and the change ids already applied, for idempotency.
import type Database from 'better-sqlite3';
import type { Entity, Fields, ServerRecord } from '../../adapter.ts';
import type { PullResponse } from '../../protocol/v1.ts';

/** A record as the server keeps it: the wire record plus what the conflict policies compare. */
export interface StoredRecord {
  record: ServerRecord;
  /** The record version at which each field last changed value: what `field-merge` compares with baseVersion. */
  fieldVersions: ReadonlyMap<string, number>;
  /** The clientTime of the change that produced this version: what `lww` compares. */
  clientTimeMs: number;
  /** The device that made the change that produced this version: the `lww` tie-break. */
  deviceId: string;
}

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

interface StoredRow extends RecordRow {
  fieldVersions: string;
  clientTimeMs: number;
  deviceId: string;
}

export class ServerStore {
  private readonly selectStored;
  private readonly upsertRecord;
  private readonly countLiveNotes;
  private readonly selectApplied;
  private readonly insertApplied;
  private readonly selectSince;
  private readonly selectAll;
  private readonly selectLastSeq;
  private readonly runAtomically: (work: () => unknown) => unknown;

  constructor(db: Database.Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS records (
        id TEXT PRIMARY KEY,
        entity TEXT NOT NULL,
        fields TEXT NOT NULL,
        field_versions TEXT NOT NULL,
        version INTEGER NOT NULL,
        deleted INTEGER NOT NULL,
        live_note_folder_id TEXT,
        client_time_ms INTEGER NOT NULL,
        device_id TEXT NOT NULL,
        seq INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS records_by_seq ON records(seq);
      CREATE INDEX IF NOT EXISTS live_notes_by_folder ON records(live_note_folder_id)
        WHERE live_note_folder_id IS NOT NULL;
      CREATE TABLE IF NOT EXISTS applied_changes (
        change_id TEXT PRIMARY KEY,
        record_id TEXT NOT NULL,
        version INTEGER NOT NULL
      );
    `);
    this.runAtomically = db.transaction((work: () => unknown) => work());
    this.selectStored = db.prepare<[string], StoredRow>(
      `SELECT entity, id, fields, version, deleted, field_versions AS fieldVersions, client_time_ms AS clientTimeMs,
              device_id AS deviceId
       FROM records WHERE id = ?`,
    );
    this.upsertRecord = db.prepare(
      `INSERT INTO records (id, entity, fields, field_versions, version, deleted, live_note_folder_id, client_time_ms, device_id, seq)
       VALUES (@id, @entity, @fields, @fieldVersions, @version, @deleted, @liveNoteFolderId, @clientTimeMs, @deviceId, @seq)
       ON CONFLICT(id) DO UPDATE SET fields = @fields, field_versions = @fieldVersions, version = @version, deleted = @deleted,
         live_note_folder_id = @liveNoteFolderId, client_time_ms = @clientTimeMs, device_id = @deviceId, seq = @seq`,
    );
    this.countLiveNotes = db.prepare<[string], { count: number }>(
      'SELECT COUNT(*) AS count FROM records WHERE live_note_folder_id = ?',
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

  find(id: string): StoredRecord | undefined {
    const row = this.selectStored.get(id);
    return (
      row && {
        record: toRecord(row),
        fieldVersions: new Map(Object.entries(JSON.parse(row.fieldVersions) as Record<string, number>)),
        clientTimeMs: row.clientTimeMs,
        deviceId: row.deviceId,
      }
    );
  }

  /** How many live notes name this folder in `folderId`. */
  liveNoteCount(folderId: string): number {
    return this.countLiveNotes.get(folderId)?.count ?? 0;
  }

  /** The record a change already applied to and the version it produced, if it was applied. */
  applied(changeId: string): AppliedChange | undefined {
    return this.selectApplied.get(changeId);
  }

  /** The pull cursor at the newest change: what a device that pulled everything holds. */
  lastCursor(): number {
    return this.selectLastSeq.get()?.seq ?? 0;
  }

  /** Stores a record's new state, stamps it with the next sequence number and remembers the change that made it. */
  write(stored: StoredRecord, changeId: string): void {
    const { record } = stored;
    const folderId = record.entity === 'note' && !record.deleted ? record.fields.folderId : undefined;
    this.upsertRecord.run({
      id: record.id,
      entity: record.entity,
      fields: JSON.stringify(record.fields),
      fieldVersions: JSON.stringify(Object.fromEntries(stored.fieldVersions)),
      version: record.version,
      deleted: record.deleted ? 1 : 0,
      liveNoteFolderId: folderId ?? null,
      clientTimeMs: stored.clientTimeMs,
      deviceId: stored.deviceId,
      seq: (this.selectLastSeq.get()?.seq ?? 0) + 1,
    });
    this.insertApplied.run(changeId, record.id, record.version);
  }

  /** Up to `limit` records changed after `cursor`, oldest change first, each at its latest state. */
  changesSince(cursor: number, limit: number): PullResponse {
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
