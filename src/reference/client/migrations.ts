// The device database's schema history, as an app that ships releases keeps it: a version in
// `PRAGMA user_version` and forward migrations, each in its own transaction, so a device several
// app versions behind steps through every one of them on its next launch and keeps its data.
import type Database from 'better-sqlite3';
import type { DeviceEnv } from '../../adapter.ts';

/** The retry window's attempts (v2); an older schema keeps them in a TEMP table, in memory only. */
const syncAttemptsTable = (scope: '' | 'TEMP ') => `CREATE ${scope}TABLE sync_attempts (at_ms INTEGER NOT NULL);`;

/** The manual-resolution inbox (v3); an older schema gets an empty TEMP one, in memory only. */
const conflictsTable = (scope: '' | 'TEMP ') => `
  CREATE ${scope}TABLE conflicts (
    conflict_id TEXT PRIMARY KEY,
    entity TEXT NOT NULL,
    record_id TEXT NOT NULL UNIQUE,
    local_fields TEXT NOT NULL,
    server_fields TEXT NOT NULL,
    server_version INTEGER NOT NULL,
    local_changes TEXT NOT NULL
  );`;

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
      ${syncAttemptsTable('')}
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
      ${conflictsTable('')}
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** A migration threw: its transaction rolled back, and the database stays at `fromVersion`. */
export class MigrationError extends Error {
  constructor(
    readonly fromVersion: number,
    readonly toVersion: number,
    readonly reason: string,
  ) {
    super(`the migration from schema v${fromVersion} to v${toVersion} failed: ${reason}`);
  }
}

/**
 * Brings `db` up to `targetVersion` (the latest by default), one transaction per migration; the
 * migration to `failAt` (fault injection) throws after its statements ran, inside its transaction.
 */
export function migrate(db: Database.Database, targetVersion: number = SCHEMA_VERSION, failAt?: number): void {
  const fromVersion = userVersion(db);
  if (fromVersion > targetVersion) {
    throw new Error(`the device database is at schema v${fromVersion}, newer than this client's v${targetVersion}`);
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= fromVersion || migration.version > targetVersion) continue;
    try {
      db.transaction(() => {
        db.exec(migration.sql);
        if (migration.version === failAt) throw new Error('injected failure after the migration\'s statements ran');
        db.pragma(`user_version = ${migration.version}`);
      })();
    } catch (error) {
      throw new MigrationError(userVersion(db), migration.version, error instanceof Error ? error.message : String(error));
    }
  }
}

export function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** What the device keeps in memory for want of a table its schema lacks: the process loses it when it dies. */
function addInMemoryTables(db: Database.Database, schemaVersion: number): void {
  if (schemaVersion < 2) db.exec(syncAttemptsTable('TEMP '));
  if (schemaVersion < 3) db.exec(conflictsTable('TEMP '));
}

/**
 * The app's launch: migrates up to `appVersion`, the newest schema this build ships. A migration that
 * fails is logged and leaves the database on the version before it, which this build still runs on
 * (degraded); the next launch tries again. Answers the schema version the database is at.
 */
export function migrateOnLaunch(env: DeviceEnv, appVersion: number, failMigrationTo?: number): number {
  const fromVersion = userVersion(env.db);
  let failure: MigrationError | undefined;
  try {
    migrate(env.db, appVersion, failMigrationTo);
  } catch (error) {
    if (!(error instanceof MigrationError)) throw error;
    failure = error;
  }
  const schemaVersion = userVersion(env.db);
  if (schemaVersion !== fromVersion) env.log('schema-migrated', { fromVersion, toVersion: schemaVersion });
  if (failure) env.log('migration-failed', { fromVersion: failure.fromVersion, toVersion: failure.toVersion, reason: failure.reason });
  addInMemoryTables(env.db, schemaVersion);
  return schemaVersion;
}
