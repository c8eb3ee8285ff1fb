// The manual-resolution inbox: under the `manual` policy a conflict keeps both versions and the
// local changes that made it, until the user picks what the record should say. One open conflict
// per record; its edits while open go into the local side instead of the queue.
import type Database from 'better-sqlite3';
import type { Conflict, Entity, Fields, ServerRecord } from '../../adapter.ts';
import type { ChangeType } from '../../protocol/v1.ts';

/** A local change taken off the queue into the inbox: kept, not sent, until the user resolves. */
export interface HeldChange {
  changeId: string;
  changeType: ChangeType;
  payload: Fields;
}

export interface InboxEntry extends Conflict {
  /** The server version the resolution will build on. */
  serverVersion: number;
  localChanges: HeldChange[];
}

interface ConflictRow {
  conflict_id: string;
  entity: Entity;
  record_id: string;
  local_fields: string;
  server_fields: string;
  server_version: number;
  local_changes: string;
}

export class ConflictInbox {
  private readonly statements;

  constructor(db: Database.Database) {
    const columns = 'conflict_id, entity, record_id, local_fields, server_fields, server_version, local_changes';
    this.statements = {
      insert: db.prepare(
        `INSERT INTO conflicts (${columns})
         VALUES (@conflictId, @entity, @id, @localFields, @serverFields, @serverVersion, @localChanges)`,
      ),
      all: db.prepare<[], ConflictRow>(`SELECT ${columns} FROM conflicts ORDER BY rowid`),
      recordIds: db.prepare<[], { record_id: string }>('SELECT record_id FROM conflicts'),
      byId: db.prepare<[string], ConflictRow>(`SELECT ${columns} FROM conflicts WHERE conflict_id = ?`),
      byRecord: db.prepare<[string], ConflictRow>(`SELECT ${columns} FROM conflicts WHERE record_id = ?`),
      updateLocal: db.prepare<[string, string, string]>('UPDATE conflicts SET local_fields = ?, local_changes = ? WHERE conflict_id = ?'),
      updateServer: db.prepare<[string, number, string, number]>(
        'UPDATE conflicts SET server_fields = ?, server_version = ? WHERE record_id = ? AND server_version < ?',
      ),
      remove: db.prepare<[string]>('DELETE FROM conflicts WHERE conflict_id = ?'),
    };
  }

  add(entry: InboxEntry): void {
    this.statements.insert.run({
      conflictId: entry.conflictId,
      entity: entry.entity,
      id: entry.id,
      localFields: JSON.stringify(entry.local),
      serverFields: JSON.stringify(entry.server),
      serverVersion: entry.serverVersion,
      localChanges: JSON.stringify(entry.localChanges),
    });
  }

  all(): InboxEntry[] {
    return this.statements.all.all().map(toEntry);
  }

  /** The records that have an open conflict. */
  recordIds(): Set<string> {
    return new Set(this.statements.recordIds.all().map((row) => row.record_id));
  }

  get(conflictId: string): InboxEntry | undefined {
    const row = this.statements.byId.get(conflictId);
    return row && toEntry(row);
  }

  forRecord(recordId: string): InboxEntry | undefined {
    const row = this.statements.byRecord.get(recordId);
    return row && toEntry(row);
  }

  /** The user edited the record while its conflict is open: the local side now shows `local`. */
  heldEdit(entry: InboxEntry, local: Fields, change: HeldChange): void {
    this.statements.updateLocal.run(JSON.stringify(local), JSON.stringify([...entry.localChanges, change]), entry.conflictId);
  }

  /**
   * A pull brought a newer live version of a record in conflict: the server side shows it, so the user
   * decides against what the server holds now and the resolution builds on it. A tombstone is left out:
   * the resolution then meets the delete as a conflict, and the delete wins.
   */
  serverMoved(record: ServerRecord): void {
    if (record.deleted) return;
    this.statements.updateServer.run(JSON.stringify(record.fields), record.version, record.id, record.version);
  }

  remove(conflictId: string): void {
    this.statements.remove.run(conflictId);
  }
}

function toEntry(row: ConflictRow): InboxEntry {
  return {
    conflictId: row.conflict_id,
    entity: row.entity,
    id: row.record_id,
    local: JSON.parse(row.local_fields) as Fields,
    server: JSON.parse(row.server_fields) as Fields,
    serverVersion: row.server_version,
    localChanges: JSON.parse(row.local_changes) as HeldChange[],
  };
}
