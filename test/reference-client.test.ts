// The reference client's contract behaviour against a real reference server: launch and periodic
// sync, honest status, atomic write + enqueue, server-wins conflicts, paged pulls, and survival of
// failed requests and restarts. The harness (test/reference-client-helpers.ts) owns time and network.
import { describe, expect, it } from 'vitest';
import { createReferenceServer } from '../src/reference/server/server.ts';
import { SYNC_INTERVAL_MS, bootDevice, byId, newDb, serverRecord, tableCount } from './reference-client-helpers.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('reference client', () => {
  it('syncs on launch and keeps a periodic sync timer of syncIntervalMs', async () => {
    const server = createReferenceServer(newDb());
    const device = await bootDevice(server, 'device-1');
    expect(device.requests).toEqual(['GET /v1/pull', 'GET /v1/pull']); // the launch sync, then bootDevice's
    expect(device.timers.map((timer) => timer.ms)).toEqual([SYNC_INTERVAL_MS]);

    const id = await device.client.create('note', { title: 't:d1:w1' });
    device.timers[0]?.fn();
    await device.client.sync();
    expect(device.timers.map((timer) => timer.ms)).toEqual([SYNC_INTERVAL_MS, SYNC_INTERVAL_MS]);
    expect((await serverRecord(server, id))?.fields).toEqual({ title: 't:d1:w1' });
  });

  it('create returns a v4 id and list() shows the record with status local', async () => {
    const server = createReferenceServer(newDb());
    const device = await bootDevice(server, 'device-1');
    const id = await device.client.create('note', { title: 't:d1:w1', folderId: null });
    expect(id).toMatch(UUID_V4);
    expect(await device.client.list()).toEqual([{ entity: 'note', id, fields: { title: 't:d1:w1', folderId: null }, status: 'local' }]);
    expect(await server.records()).toEqual([]);
  });

  it('after sync() the record is synced and on the server at version 1', async () => {
    const server = createReferenceServer(newDb());
    const device = await bootDevice(server, 'device-1');
    const id = await device.client.create('folder', { name: 't:d1:w1' });
    await device.client.sync();
    expect(byId(await device.client.list(), id)).toEqual({ entity: 'folder', id, fields: { name: 't:d1:w1' }, status: 'synced' });
    expect(await serverRecord(server, id)).toEqual({ entity: 'folder', id, fields: { name: 't:d1:w1' }, version: 1, deleted: false });
    expect(tableCount(device.db, 'pending_changes')).toBe(0);
  });

  it('pushes a create and later updates of one record in order, ending on the latest value', async () => {
    const server = createReferenceServer(newDb());
    const device = await bootDevice(server, 'device-1');
    const id = await device.client.create('note', { title: 'w1', body: 'w1' });
    await device.client.update('note', id, { title: 'w2' });
    await device.client.update('note', id, { body: 'w3' });
    await device.client.sync();
    expect(await serverRecord(server, id)).toEqual({ entity: 'note', id, fields: { title: 'w2', body: 'w3' }, version: 3, deleted: false });
    expect(byId(await device.client.list(), id)).toMatchObject({ fields: { title: 'w2', body: 'w3' }, status: 'synced' });
  });

  it('writes the record and its queued change atomically: a failing enqueue leaves no record', async () => {
    const server = createReferenceServer(newDb());
    const device = await bootDevice(server, 'device-1');
    const kept = await device.client.create('note', { title: 'before' });
    device.db.exec(`CREATE TRIGGER full BEFORE INSERT ON pending_changes BEGIN SELECT RAISE(ABORT, 'disk full'); END;`);

    await expect(device.client.create('note', { title: 'lost' })).rejects.toThrow(/disk full/);
    await expect(device.client.update('note', kept, { title: 'not saved' })).rejects.toThrow(/disk full/);

    expect(await device.client.list()).toEqual([{ entity: 'note', id: kept, fields: { title: 'before' }, status: 'local' }]);
    expect(tableCount(device.db, 'records')).toBe(1);
    expect(tableCount(device.db, 'pending_changes')).toBe(1);
  });

  it('follows server-wins on a conflict: the local edit is replaced by the server version and a conflict is logged', async () => {
    const server = createReferenceServer(newDb());
    const one = await bootDevice(server, 'device-1');
    const id = await one.client.create('note', { title: 'w1', body: 'w1' });
    await one.client.sync();

    const two = await bootDevice(server, 'device-2');
    expect(byId(await two.client.list(), id)?.fields).toEqual({ title: 'w1', body: 'w1' });
    await two.client.update('note', id, { title: 'from device 2' });
    await two.client.sync();

    await one.client.update('note', id, { title: 'from device 1', body: 'from device 1' });
    // The pull after the push fails, so only the conflict answer can bring the server's version.
    one.intercept = (request) =>
      new URL(request.url).pathname === '/v1/pull' ? new Response(JSON.stringify({ error: 'down' }), { status: 503 }) : undefined;
    await one.client.sync();
    expect(one.requests.slice(-2)).toEqual(['POST /v1/push', 'GET /v1/pull']);

    const expected = { title: 'from device 2', body: 'w1' };
    expect(byId(await one.client.list(), id)).toEqual({ entity: 'note', id, fields: expected, status: 'synced' });
    expect(await serverRecord(server, id)).toEqual({ entity: 'note', id, fields: expected, version: 2, deleted: false });
    const conflicts = one.events.filter((event) => event.event === 'conflict');
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]?.data).toMatchObject({ id, policy: 'server-wins', serverVersion: 2 });
    expect(conflicts[0]?.data?.discardedChangeIds).toHaveLength(1);
    expect(tableCount(one.db, 'pending_changes')).toBe(0);
  });

  it('pulls other devices’ creates, updates and deletes across pages', async () => {
    const server = createReferenceServer(newDb());
    const one = await bootDevice(server, 'device-1');
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) ids.push(await one.client.create('note', { title: `w${i}` }));
    await one.client.sync();
    await one.client.update('note', ids[0] as string, { title: 'w6' });
    await one.client.delete('note', ids[1] as string);
    await one.client.sync();
    expect(byId(await one.client.list(), ids[1] as string)).toBeUndefined();

    const two = await bootDevice(server, 'device-2'); // pullLimit 2: five live records need three pages
    const shown = await two.client.list();
    expect(shown.map((record) => record.id).sort()).toEqual([ids[0], ids[2], ids[3], ids[4]].sort());
    expect(byId(shown, ids[0] as string)).toMatchObject({ fields: { title: 'w6' }, status: 'synced' });
    expect(two.requests.filter((request) => request === 'GET /v1/pull').length).toBeGreaterThanOrEqual(3);
    expect((await serverRecord(server, ids[1] as string))?.deleted).toBe(true);
  });

  it('does not let a pull overwrite a record that has pending local changes', async () => {
    const server = createReferenceServer(newDb());
    const one = await bootDevice(server, 'device-1');
    const id = await one.client.create('note', { title: 'w1' });
    await one.client.sync();

    const two = await bootDevice(server, 'device-2');
    await two.client.update('note', id, { title: 'from device 2' });
    await two.client.sync();

    // The user edits on device 1 while its pull is on the way: the pulled version must not win locally.
    one.intercept = async (request) => {
      if (new URL(request.url).pathname === '/v1/pull') {
        one.intercept = undefined;
        await one.client.update('note', id, { title: 'edited during pull' });
      }
      return undefined;
    };
    await one.client.sync();
    expect(one.intercept).toBeUndefined(); // the edit really happened during the pull
    expect(byId(await one.client.list(), id)).toEqual({ entity: 'note', id, fields: { title: 'edited during pull' }, status: 'local' });
    expect(tableCount(one.db, 'pending_changes')).toBe(1);
  });

  it('pushes a change made before sync() even when a sync already running is past its push', async () => {
    const server = createReferenceServer(newDb());
    const device = await bootDevice(server, 'device-1');
    let called: Promise<void> | undefined;
    device.intercept = async (request) => {
      if (new URL(request.url).pathname === '/v1/pull' && !called) {
        await device.client.create('note', { title: 'written during the pull' });
        called = device.client.sync();
      }
      return undefined;
    };
    device.timers[0]?.fn();
    await device.client.sync();
    await called;
    const [record] = await device.client.list();
    expect(record?.status).toBe('synced');
    expect((await serverRecord(server, record?.id ?? ''))?.fields).toEqual({ title: 'written during the pull' });
  });

  it('keeps a change queued when the network fails, and a later sync delivers it', async () => {
    const server = createReferenceServer(newDb());
    const device = await bootDevice(server, 'device-1');
    device.network = 'down';
    const id = await device.client.create('note', { title: 'offline write' });

    await expect(device.client.sync()).resolves.toBeUndefined();
    expect(device.requests.at(-1)).toBe('POST /v1/push');
    expect(device.events.some((event) => event.event === 'sync-failed')).toBe(true);
    expect(byId(await device.client.list(), id)).toMatchObject({ fields: { title: 'offline write' }, status: 'pending' });
    expect(await server.records()).toEqual([]);

    device.network = 'up';
    await device.client.sync();
    expect(byId(await device.client.list(), id)?.status).toBe('synced');
    expect(await serverRecord(server, id)).toMatchObject({ fields: { title: 'offline write' }, version: 1 });
  });

  it('keeps a change queued when the server answers with an error status', async () => {
    const server = createReferenceServer(newDb());
    const device = await bootDevice(server, 'device-1');
    device.intercept = () => new Response(JSON.stringify({ error: 'overloaded' }), { status: 503 });
    const id = await device.client.create('note', { title: 'w1' });
    await device.client.sync();
    expect(device.events.find((event) => event.event === 'sync-failed')?.data?.reason).toMatch(/503.*overloaded/);
    expect(byId(await device.client.list(), id)?.status).toBe('pending');

    device.intercept = undefined;
    await device.client.sync();
    expect(byId(await device.client.list(), id)?.status).toBe('synced');
  });

  it('replays a change whose response was lost and settles it from the duplicate answer', async () => {
    const server = createReferenceServer(newDb());
    const device = await bootDevice(server, 'device-1');
    const id = await device.client.create('note', { title: 'w1' });
    device.intercept = async (request) => {
      device.intercept = undefined;
      await server.handle(request); // the server applies it, but the answer never comes back
      throw new TypeError('fetch failed');
    };
    await device.client.sync();
    expect(await serverRecord(server, id)).toMatchObject({ version: 1 });
    expect(byId(await device.client.list(), id)?.status).toBe('pending');

    await device.client.sync();
    expect(byId(await device.client.list(), id)?.status).toBe('synced');
    expect(tableCount(device.db, 'pending_changes')).toBe(0);
    expect(await server.records()).toHaveLength(1);
    expect(device.events.some((event) => event.event === 'conflict' || event.event === 'change-rejected')).toBe(false);
  });

  it('keeps its records and queue across a restart over the same database', async () => {
    const server = createReferenceServer(newDb());
    const first = await bootDevice(server, 'device-1');
    first.network = 'down';
    const id = await first.client.create('note', { title: 'survives' });

    const second = await bootDevice(server, 'device-1', first.db); // its launch sync pushes the queue
    expect(byId(await second.client.list(), id)).toMatchObject({ fields: { title: 'survives' }, status: 'synced' });
    expect((await serverRecord(server, id))?.fields).toEqual({ title: 'survives' });
  });
});
