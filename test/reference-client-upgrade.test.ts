// Builds of the reference app on older schemas, and updates between them: each build works on its own
// schema; an update migrates under changes the old build left queued, skipping versions; a migration
// that fails leaves the old data and queue as they were, the app syncing degraded, until a later launch.
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { SyncServer, VisibleRecord } from '../src/adapter.ts';
import type { AppVersion } from '../src/reference/client/client.ts';
import { userVersion } from '../src/reference/client/migrations.ts';
import { createReferenceServer } from '../src/reference/server/server.ts';
import { bootDevice, eventsNamed, newDb, reopened, serverRecord, type TestDevice } from './reference-client-helpers.ts';

function tables(db: Database.Database): string[] {
  const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
  return rows.map((row) => row.name);
}

/** What the user sees of each record, whatever its sync status. */
function shown(records: readonly VisibleRecord[]): Pick<VisibleRecord, 'entity' | 'id' | 'fields'>[] {
  return records.map(({ entity, id, fields }) => ({ entity, id, fields }));
}

function queueRows(db: Database.Database): unknown[] {
  return db.prepare('SELECT change_id, object_id, change_type, payload, base_version, created_at, status FROM pending_changes ORDER BY seq').all();
}

/** An app of `appVersion` that made changes offline: a folder, a note in it edited twice, and a note created and deleted. */
async function offlineEdits(server: SyncServer, appVersion: AppVersion): Promise<{ device: TestDevice; folderId: string; noteId: string }> {
  const device = await bootDevice(server, 'device-1', newDb(), { appVersion }, { network: 'down' });
  const { client } = device;
  const folderId = await client.create('folder', { name: 'inbox' });
  const noteId = await client.create('note', { title: 'draft', folderId });
  await client.update('note', noteId, { title: 'final' });
  await client.update('note', noteId, { body: 'text' });
  await client.delete('note', await client.create('note', { title: 'gone', folderId }));
  return { device, folderId, noteId };
}

describe('reference client app versions and updates', () => {
  it.each([1, 2, 3] as const)('works on the schema of app v%i: creates, updates and deletes sync round trip', async (appVersion) => {
    const server = createReferenceServer(newDb());
    const { device, folderId, noteId } = await offlineEdits(server, appVersion);
    expect(await device.client.list()).toHaveLength(2);
    device.network = 'up';
    await device.client.sync();

    expect(userVersion(device.db)).toBe(appVersion);
    expect(tables(device.db).includes('records')).toBe(appVersion < 3);
    expect(await device.client.list()).toEqual([
      { entity: 'folder', id: folderId, fields: { name: 'inbox' }, status: 'synced' },
      { entity: 'note', id: noteId, fields: { title: 'final', body: 'text', folderId }, status: 'synced' },
    ].sort((a, b) => a.id.localeCompare(b.id)));
    expect((await serverRecord(server, noteId))?.fields).toEqual({ title: 'final', body: 'text', folderId });
    expect((await server.records()).filter((record) => !record.deleted)).toHaveLength(2);
    expect(queueRows(device.db)).toEqual([]);

    // A pull on the old schema too: another device's edit arrives.
    const other = await bootDevice(server, 'device-2');
    await other.client.update('note', noteId, { title: 'theirs' });
    await other.client.sync();
    await device.client.sync();
    expect((await device.client.list()).find((record) => record.id === noteId)?.fields).toMatchObject({ title: 'theirs' });
  });

  it('updates an app v1 to v3, skipping v2, and sends the changes the v1 app left queued', async () => {
    const server = createReferenceServer(newDb());
    const { device, noteId } = await offlineEdits(server, 1);
    const shownBefore = await device.client.list();

    const updated = await bootDevice(server, 'device-1', reopened(device.db));
    expect(userVersion(updated.db)).toBe(3);
    expect(eventsNamed(updated, 'schema-migrated').map((event) => event.data)).toEqual([{ fromVersion: 1, toVersion: 3 }]);
    expect(queueRows(updated.db)).toEqual([]);
    expect((await serverRecord(server, noteId))?.fields).toMatchObject({ title: 'final', body: 'text' });
    expect(shown(await updated.client.list())).toEqual(shown(shownBefore));
  });

  it('keeps the old data and queue when the migration fails, syncs on the old schema, and migrates on a later launch', async () => {
    const server = createReferenceServer(newDb());
    const { device, noteId } = await offlineEdits(server, 2);
    const shownBefore = await device.client.list();
    const queuedBefore = queueRows(device.db);

    const failing = await bootDevice(server, 'device-1', reopened(device.db), { failMigrationTo: 3 }, { network: 'down' });
    expect(userVersion(failing.db)).toBe(2);
    expect(eventsNamed(failing, 'migration-failed').map((event) => event.data)).toEqual([
      { fromVersion: 2, toVersion: 3, reason: "injected failure after the migration's statements ran" },
    ]);
    expect(eventsNamed(failing, 'schema-migrated')).toEqual([]);
    expect(tables(failing.db)).not.toContain('notes');
    expect(shown(await failing.client.list())).toEqual(shown(shownBefore));
    expect(queueRows(failing.db)).toEqual(queuedBefore);

    failing.network = 'up';
    await failing.client.sync();
    expect(queueRows(failing.db)).toEqual([]);
    expect((await serverRecord(server, noteId))?.fields).toMatchObject({ title: 'final', body: 'text' });

    const retried = await bootDevice(server, 'device-1', reopened(failing.db));
    expect(userVersion(retried.db)).toBe(3);
    expect(eventsNamed(retried, 'schema-migrated').map((event) => event.data)).toEqual([{ fromVersion: 2, toVersion: 3 }]);
    expect(shown(await retried.client.list())).toEqual(shown(shownBefore));
  });

  it('commits the migrations before the one that fails: a v1 app updated to a failing v3 runs on v2', async () => {
    const server = createReferenceServer(newDb());
    const { device } = await offlineEdits(server, 1);
    const failing = await bootDevice(server, 'device-1', reopened(device.db), { failMigrationTo: 3 }, { network: 'down' });
    expect(userVersion(failing.db)).toBe(2);
    expect(failing.events.filter((event) => /migrat/.test(event.event)).map(({ event, data }) => [event, data?.fromVersion, data?.toVersion])).toEqual([
      ['schema-migrated', 1, 2],
      ['migration-failed', 2, 3],
    ]);
  });

  it('falls back from manual to server-wins on a schema without the conflicts inbox, and says so', async () => {
    const server = createReferenceServer(newDb(), { policy: 'manual' });
    const device = await bootDevice(server, 'device-1', newDb(), { appVersion: 2, conflict: 'manual' });
    expect(eventsNamed(device, 'conflict-policy-degraded').map((event) => event.data)).toEqual([
      { policy: 'manual', fallback: 'server-wins', schemaVersion: 2 },
    ]);
    const id = await device.client.create('note', { title: 'mine' });
    await device.client.sync();
    const other = await bootDevice(server, 'device-2', newDb(), { conflict: 'manual' });
    await other.client.update('note', id, { title: 'theirs' });
    await other.client.sync();
    await device.client.update('note', id, { title: 'lost' });
    await device.client.sync();
    expect(await device.client.conflicts?.()).toEqual([]);
    expect(eventsNamed(device, 'conflict').map((event) => event.data?.outcome)).toEqual(['server-kept']);
    expect((await device.client.list())[0]).toMatchObject({ fields: { title: 'theirs' }, status: 'synced' });
  });

  it('refuses to boot an older app over a database a newer one migrated', async () => {
    const db = newDb();
    await bootDevice(createReferenceServer(newDb()), 'device-1', db);
    await expect(bootDevice(createReferenceServer(newDb()), 'device-1', reopened(db), { appVersion: 1 })).rejects.toThrow(
      "the device database is at schema v3, newer than this client's v1",
    );
  });
});
