// The reference client's on-device database: the records the UI shows (the local source of
// truth) and the pending-change queue, shaped like the seed's PendingChange. A record write and
// its enqueue always happen in one transaction, so a crash can never keep one without the other.
import type Database from 'better-sqlite3';
import type { Entity, Fields, ServerRecord } from '../../adapter.ts';
import type { Change, ChangeType } from '../../protocol/v1.ts';

export type PendingStatus = 'pending' | 'syncing' | 'failed';

export interface LocalRecord {
  entity: Entity;
  id: string;
  fields: Fields;
  serverVersion: number;
  deleted: boolean;
}

export interface PendingChange {
  seq: number;
  changeId: string;
  objectId: string;
  entity: Entity;
  changeType: ChangeType;
  payload: Fields;
  baseVersion: number;
  createdAt: number;
  retryCount: number;
  attempts: number;
  status: PendingStatus;
  reason: string | null;
}

interface RecordRow {
  entity: Entity;
  id: string;
  fields: string;
  server_version: number;
  deleted: number;
}

interface PendingRow {
  seq: number;
  change_id: string;
  object_id: string;
  entity: Entity;
  change_type: ChangeType;
  payload: string;
  base_version: number;
  created_at: number;
  retry_count: number;
  attempts: number;
  status: PendingStatus;
  reason: string | null;
}

export class LocalStore {
  private readonly statements;
  private readonly runAtomically: (work: () => unknown) => unknown;

  constructor(db: Database.Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS records (
        id TEXT PRIMARY KEY,
        entity TEXT NOT NULL,
        fields TEXT NOT NULL,
        server_version INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE IF NOT EXISTS pending_changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        change_id TEXT NOT NULL UNIQUE,
        object_id TEXT NOT NULL,
        entity TEXT NOT NULL,
        change_type TEXT NOT NULL,
        payload TEXT NOT NULL,
        base_version INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        retry_count INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'pending',
        reason TEXT
      );
      CREATE INDEX IF NOT EXISTS pending_by_object ON pending_changes(object_id);
      CREATE TABLE IF NOT EXISTS sync_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    `);
    this.runAtomically = db.transaction((work: () => unknown) => work());
    this.statements = {
      record: db.prepare<[string], RecordRow>('SELECT entity, id, fields, server_version, deleted FROM records WHERE id = ?'),
      liveRecords: db.prepare<[], RecordRow>('SELECT entity, id, fields, server_version, deleted FROM records WHERE deleted = 0 ORDER BY id'),
      putRecord: db.prepare(
        `INSERT INTO records (id, entity, fields, server_version, deleted) VALUES (@id, @entity, @fields, @serverVersion, @deleted)
         ON CONFLICT(id) DO UPDATE SET fields = @fields, server_version = @serverVersion, deleted = @deleted`,
      ),
      enqueue: db.prepare(
        `INSERT INTO pending_changes (change_id, object_id, entity, change_type, payload, base_version, created_at)
         VALUES (@changeId, @objectId, @entity, @changeType, @payload, @baseVersion, @createdAt)`,
      ),
      putPulled: db.prepare(
        `INSERT INTO records (id, entity, fields, server_version, deleted) VALUES (@id, @entity, @fields, @serverVersion, @deleted)
         ON CONFLICT(id) DO UPDATE SET fields = @fields, server_version = @serverVersion, deleted = @deleted
         WHERE excluded.server_version >= records.server_version`,
      ),
      queuedObjects: db.prepare<[], { object_id: string }>('SELECT DISTINCT object_id FROM pending_changes'),
      queue: db.prepare<[], PendingRow>('SELECT * FROM pending_changes ORDER BY seq'),
      queueOf: db.prepare<[string], PendingRow>('SELECT * FROM pending_changes WHERE object_id = ? ORDER BY seq'),
      markSyncing: db.prepare<[string]>(
        "UPDATE pending_changes SET status = 'syncing', attempts = attempts + 1 WHERE change_id = ?",
      ),
      markRetry: db.prepare<[string]>(
        "UPDATE pending_changes SET status = 'pending', retry_count = retry_count + 1 WHERE change_id = ? AND status = 'syncing'",
      ),
      markFailed: db.prepare<[string, string]>("UPDATE pending_changes SET status = 'failed', reason = ? WHERE change_id = ?"),
      dequeue: db.prepare<[string]>('DELETE FROM pending_changes WHERE change_id = ?'),
      dequeueObject: db.prepare<[string]>('DELETE FROM pending_changes WHERE object_id = ?'),
      rebase: db.prepare<[number, string]>('UPDATE pending_changes SET base_version = ? WHERE object_id = ?'),
      cursor: db.prepare<[], { value: number }>("SELECT value FROM sync_state WHERE key = 'cursor'"),
      setCursor: db.prepare<[number]>("INSERT INTO sync_state (key, value) VALUES ('cursor', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
    };
  }

  record(id: string): LocalRecord | undefined {
    const row = this.statements.record.get(id);
    return row && toLocalRecord(row);
  }

  liveRecords(): LocalRecord[] {
    return this.statements.liveRecords.all().map(toLocalRecord);
  }

  /** Writes a record as the user changed it and queues the change, atomically. */
  writeLocal(record: LocalRecord, change: Omit<Change, 'baseVersion'>): void {
    this.transaction(() => {
      this.putRecord(record);
      this.statements.enqueue.run({
        changeId: change.changeId,
        objectId: change.id,
        entity: change.entity,
        changeType: change.changeType,
        payload: JSON.stringify(change.fields),
        baseVersion: record.serverVersion,
        createdAt: change.clientTime,
      });
    });
  }

  putRecord(record: LocalRecord): void {
    this.statements.putRecord.run(toRow({ ...record, version: record.serverVersion }));
  }

  /** Stores a record as the server holds it. */
  putServerRecord(record: ServerRecord): void {
    this.statements.putRecord.run(toRow(record));
  }

  /** Stores a pulled record unless the device already holds a newer version of it. */
  putPulled(record: ServerRecord): void {
    this.statements.putPulled.run(toRow(record));
  }

  /** The ids of every record that has changes waiting in the queue. */
  queuedObjectIds(): Set<string> {
    return new Set(this.statements.queuedObjects.all().map((row) => row.object_id));
  }

  queue(): PendingChange[] {
    return this.statements.queue.all().map(toPendingChange);
  }

  queueOf(objectId: string): PendingChange[] {
    return this.statements.queueOf.all(objectId).map(toPendingChange);
  }

  markSyncing(changeIds: readonly string[]): void {
    this.transaction(() => changeIds.forEach((id) => this.statements.markSyncing.run(id)));
  }

  markRetry(changeIds: readonly string[]): void {
    this.transaction(() => changeIds.forEach((id) => this.statements.markRetry.run(id)));
  }

  markFailed(changeId: string, reason: string): void {
    this.statements.markFailed.run(reason, changeId);
  }

  dequeue(changeId: string): void {
    this.statements.dequeue.run(changeId);
  }

  dequeueObject(objectId: string): void {
    this.statements.dequeueObject.run(objectId);
  }

  /** Later changes of a record were made on top of an acknowledged one: they now build on its version. */
  rebase(objectId: string, version: number): void {
    this.statements.rebase.run(version, objectId);
  }

  cursor(): number {
    return this.statements.cursor.get()?.value ?? 0;
  }

  setCursor(cursor: number): void {
    this.statements.setCursor.run(cursor);
  }

  /** Runs `work` atomically; nested calls become savepoints. */
  transaction<T>(work: () => T): T {
    return this.runAtomically(work) as T;
  }
}

function toRow(record: ServerRecord) {
  return {
    id: record.id,
    entity: record.entity,
    fields: JSON.stringify(record.fields),
    serverVersion: record.version,
    deleted: record.deleted ? 1 : 0,
  };
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

function toPendingChange(row: PendingRow): PendingChange {
  return {
    seq: row.seq,
    changeId: row.change_id,
    objectId: row.object_id,
    entity: row.entity,
    changeType: row.change_type,
    payload: JSON.parse(row.payload) as Fields,
    baseVersion: row.base_version,
    createdAt: row.created_at,
    retryCount: row.retry_count,
    attempts: row.attempts,
    status: row.status,
    reason: row.reason,
  };
}
