// The device database's schema history, as an app that ships releases keeps it: a version in
// `PRAGMA user_version` and forward migrations, each in its own transaction, so a device several
// app versions behind steps through every one of them on its next launch and keeps its data.
import type Database from 'better-sqlite3';

interface Migration {
  version: number;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  // v1, the walking skeleton: one generic records table, the pending-change queue and the pull cursor.
  // The skeleton never set user_version, so its devices report 0: IF NOT EXISTS adopts their tables as v1.
  {
    version: 1,
    sql: `
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
    `,
  },
  // v2, battery and coalescing: failed sync attempts are kept, so backoff and the hourly retry budget survive
  // a restart; a queued change keeps the time of the latest edit folded into it (client_time, what lww
  // compares) apart from when it was queued (created_at).
  {
    version: 2,
    sql: `
      ALTER TABLE pending_changes ADD COLUMN client_time INTEGER NOT NULL DEFAULT 0;
      UPDATE pending_changes SET client_time = created_at;
      CREATE TABLE sync_attempts (at_ms INTEGER NOT NULL);
    `,
  },
  // v3, shaped for the app's screens rather than the API: folders and notes in tables of their own, notes
  // indexed by folder, a `records` view over both for the sync layer, and the inbox of conflicts the user
  // settles by hand (manual policy).
  {
    version: 3,
    sql: `
      CREATE TABLE folders (
        id TEXT PRIMARY KEY,
        fields TEXT NOT NULL,
        server_version INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE notes (
        id TEXT PRIMARY KEY,
        fields TEXT NOT NULL,
        folder_id TEXT GENERATED ALWAYS AS (json_extract(fields, '$.folderId')) VIRTUAL,
        server_version INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX notes_by_folder ON notes(folder_id) WHERE deleted = 0;
      INSERT INTO folders (id, fields, server_version, deleted)
        SELECT id, fields, server_version, deleted FROM records WHERE entity = 'folder';
      INSERT INTO notes (id, fields, server_version, deleted)
        SELECT id, fields, server_version, deleted FROM records WHERE entity = 'note';
      DROP TABLE records;
      CREATE VIEW records AS
        SELECT 'folder' AS entity, id, fields, server_version, deleted FROM folders
        UNION ALL
        SELECT 'note' AS entity, id, fields, server_version, deleted FROM notes;
      CREATE TABLE conflicts (
        conflict_id TEXT PRIMARY KEY,
        entity TEXT NOT NULL,
        record_id TEXT NOT NULL UNIQUE,
        local_fields TEXT NOT NULL,
        server_fields TEXT NOT NULL,
        server_version INTEGER NOT NULL,
        local_changes TEXT NOT NULL
      );
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export interface MigrationReport {
  fromVersion: number;
  toVersion: number;
}

/** Brings `db` up to `targetVersion` (the latest by default), one transaction per migration. */
export function migrate(db: Database.Database, targetVersion: number = SCHEMA_VERSION): MigrationReport {
  const fromVersion = db.pragma('user_version', { simple: true }) as number;
  if (fromVersion > SCHEMA_VERSION) {
    throw new Error(`the device database is at schema v${fromVersion}, newer than this client's v${SCHEMA_VERSION}`);
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= fromVersion || migration.version > targetVersion) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  return { fromVersion, toVersion: Math.max(fromVersion, Math.min(targetVersion, SCHEMA_VERSION)) };
}
