// The device database's schema history: a fresh device gets every migration; a device several
// app versions behind (the skeleton's v1, never versioned, or v2) migrates to v3 with nothing lost,
// tested at a realistic size; a failed migration rolls back only itself; a newer schema is refused.
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { VisibleRecord } from '../src/adapter.ts';
import { SCHEMA_VERSION, migrate } from '../src/reference/client/migrations.ts';
import { createReferenceServer } from '../src/reference/server/server.ts';
import { bootDevice, eventsNamed, newDb } from './reference-client-helpers.ts';

const NOTE_COUNT = 5_000;
const FOLDER_COUNT = 50;

function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function schemaObjects(db: Database.Database): string[] {
  const rows = db.prepare("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all() as {
    type: string;
    name: string;
  }[];
  return rows.map((row) => `${row.type} ${row.name}`);
}

type RecordRow = { entity: 'folder' | 'note'; id: string; fields: string; server_version: number; deleted: number };
type QueueRow = { object_id: string; status: string; attempts: number; retry_count: number; reason: string | null };

/**
 * A device as the walking skeleton left it (schema v1, user_version never set): folders and notes in
 * the generic records table, some synced, some deleted, and queued changes, sent or not, one refused.
 */
function skeletonDevice(db: Database.Database): { records: RecordRow[]; queue: QueueRow[] } {
  migrate(db, 1);
  db.pragma('user_version = 0');
  const putRecord = db.prepare('INSERT INTO records (id, entity, fields, server_version, deleted) VALUES (?, ?, ?, ?, ?)');
  const enqueue = db.prepare(
    `INSERT INTO pending_changes
       (change_id, object_id, entity, change_type, payload, base_version, created_at, retry_count, attempts, status, reason)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const id = (kind: string, index: number) => `${kind}-${String(index).padStart(5, '0')}`;
  db.transaction(() => {
    for (let f = 0; f < FOLDER_COUNT; f++) putRecord.run(id('folder', f), 'folder', JSON.stringify({ name: `f${f}` }), 1, 0);
    for (let n = 0; n < NOTE_COUNT; n++) {
      const noteId = id('note', n);
      const fields = { title: `t${n}`, body: `b${n}`, folderId: id('folder', n % FOLDER_COUNT) };
      const synced = n % 10 !== 0;
      putRecord.run(noteId, 'note', JSON.stringify(fields), synced ? 2 : 0, n % 97 === 0 ? 1 : 0);
      if (synced) continue;
      const [status, attempts, reason] =
        n % 50 === 0 ? ['failed', 1, 'folder gone was deleted'] : n % 20 === 0 ? ['pending', 2, null] : ['pending', 0, null];
      const createdAt = 1_600_000_000_000 + n;
      enqueue.run(`change-${n}`, noteId, 'note', 'create', JSON.stringify(fields), 0, createdAt, attempts, attempts, status, reason);
    }
  })();
  return {
    records: db.prepare('SELECT entity, id, fields, server_version, deleted FROM records ORDER BY id').all() as RecordRow[],
    queue: db.prepare('SELECT * FROM pending_changes ORDER BY seq').all() as QueueRow[],
  };
}

/** What list() must show for these rows: live records by id, with the status their queued change earns. */
function visibleFrom(records: readonly RecordRow[], queue: readonly QueueRow[]): VisibleRecord[] {
  const byRecord = new Map(queue.map((change) => [change.object_id, change]));
  return records
    .filter((record) => record.deleted === 0)
    .map((record) => {
      const change = byRecord.get(record.id);
      const status = !change ? 'synced' : change.status === 'failed' ? 'failed' : change.attempts > 0 ? 'pending' : 'local';
      const reason = change?.reason ? { reason: change.reason } : {};
      return { entity: record.entity, id: record.id, fields: JSON.parse(record.fields), status, ...reason };
    });
}

describe('reference client schema migrations', () => {
  it('gives a fresh device every migration: folders, notes indexed by folder, the records view and the conflicts inbox', async () => {
    const device = await bootDevice(createReferenceServer(newDb()), 'device-1');
    expect(userVersion(device.db)).toBe(SCHEMA_VERSION);
    expect(schemaObjects(device.db)).toEqual([
      'table conflicts',
      'table folders',
      'table notes',
      'index notes_by_folder',
      'index pending_by_object',
      'table pending_changes',
      'view records',
      'table sync_attempts',
      'table sync_state',
    ]);
    expect(eventsNamed(device, 'schema-migrated').map((event) => event.data)).toEqual([{ fromVersion: 0, toVersion: 3 }]);
  });

  it('answers "notes in this folder" from the folder index', () => {
    const db = newDb();
    migrate(db);
    const query = 'EXPLAIN QUERY PLAN SELECT id FROM notes WHERE folder_id = ? AND deleted = 0';
    const plan = db.prepare(query).all('f1') as { detail: string }[];
    expect(plan.map((step) => step.detail).join('\n')).toMatch(/USING INDEX notes_by_folder/);
  });

  it(`migrates a skeleton (v1) device with ${NOTE_COUNT} notes to v3 with nothing lost`, async () => {
    const db = newDb();
    const before = skeletonDevice(db);
    const batchSize = 10;
    const device = await bootDevice(createReferenceServer(newDb()), 'device-1', db, { batchSize }, { network: 'down' });

    // Offline, the launch sync and the harness's sync() each tried the first batch of unsent changes; nothing else moved.
    const firstBatch = new Set(before.queue.filter((change) => change.status !== 'failed').slice(0, batchSize));
    const expectedQueue = before.queue.map((change) =>
      firstBatch.has(change) ? { ...change, attempts: change.attempts + 2, retry_count: change.retry_count + 2 } : change,
    );
    expect(userVersion(db)).toBe(3);
    expect(eventsNamed(device, 'schema-migrated').map((event) => event.data)).toEqual([{ fromVersion: 0, toVersion: 3 }]);
    expect(await device.client.list()).toEqual(visibleFrom(before.records, expectedQueue));
    expect(db.prepare('SELECT entity, id, fields, server_version, deleted FROM records ORDER BY id').all()).toEqual(before.records);
    type QueueRowAfter = QueueRow & { client_time: number; created_at: number };
    const queueAfter = db.prepare('SELECT * FROM pending_changes ORDER BY seq').all() as QueueRowAfter[];
    expect(queueAfter.map(({ client_time, ...v1Columns }) => v1Columns)).toEqual(expectedQueue);
    expect(queueAfter.every((change) => change.client_time === change.created_at)).toBe(true);
    expect(db.prepare('SELECT COUNT(*) AS n FROM notes WHERE folder_id = ?').get('folder-00007')).toEqual({ n: NOTE_COUNT / FOLDER_COUNT });
  });

  it('migrates a v2 device to v3, keeping its records, queue and retry state', async () => {
    const db = newDb();
    migrate(db, 2);
    const putRecord = db.prepare('INSERT INTO records (id, entity, fields, server_version, deleted) VALUES (?, ?, ?, 0, 0)');
    putRecord.run('n1', 'note', '{"title":"kept"}');
    db.prepare(
      `INSERT INTO pending_changes (change_id, object_id, entity, change_type, payload, base_version, created_at, client_time)
       VALUES ('c1', 'n1', 'note', 'create', '{"title":"kept"}', 0, 10, 20)`,
    ).run();
    db.prepare("INSERT INTO sync_state (key, value) VALUES ('failures', 3)").run();
    const device = await bootDevice(createReferenceServer(newDb()), 'device-1', db, {}, { network: 'down' });

    expect(await device.client.list()).toEqual([{ entity: 'note', id: 'n1', fields: { title: 'kept' }, status: 'pending' }]);
    expect(db.prepare('SELECT change_id, created_at, client_time FROM pending_changes').all()).toEqual([
      { change_id: 'c1', created_at: 10, client_time: 20 },
    ]);
    expect(eventsNamed(device, 'sync-failed').map((event) => event.data?.failures)).toEqual([4, 5]);
  });

  it('rolls back only the migration that failed, leaving the device on the version before it', () => {
    const db = newDb();
    migrate(db, 1);
    db.exec("INSERT INTO records (id, entity, fields) VALUES ('n1', 'note', '{}'); CREATE TABLE folders (stray TEXT);");
    expect(() => migrate(db)).toThrow(/folders already exists/);
    expect(userVersion(db)).toBe(2);
    expect(db.prepare('SELECT id FROM records').all()).toEqual([{ id: 'n1' }]);
  });

  it('refuses a database from a newer app version instead of guessing', () => {
    const db = newDb();
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    const newer = SCHEMA_VERSION + 1;
    expect(() => migrate(db)).toThrow(`the device database is at schema v${newer}, newer than this client's v${SCHEMA_VERSION}`);
  });
});
