// The reference client's pending-change queue and the status the UI shows: the seed's PendingChange
// shape, coalescing that never loses an edit, honest `pending`/`failed`, and changes that a killed
// app left on the wire.
import { describe, expect, it } from 'vitest';
import type { Fields } from '../src/adapter.ts';
import { PendingQueue, type PendingChange } from '../src/reference/client/queue.ts';
import { createReferenceServer } from '../src/reference/server/server.ts';
import { START_MS, advance, bootDevice, byId, eventsNamed, newDb, serverRecord, tableCount } from './reference-client-helpers.ts';
import type { TestDevice } from './reference-client-helpers.ts';

function queued(device: TestDevice): PendingChange[] {
  return new PendingQueue(device.db).all();
}

function payloads(device: TestDevice): Fields[] {
  return queued(device).map((change) => change.payload);
}

describe('reference client queue', () => {
  it('queues each write as a PendingChange: id, objectId, changeType, payload, createdAt, retryCount, status, baseVersion', async () => {
    const server = createReferenceServer(newDb());
    const device = await bootDevice(server, 'device-1');
    const id = await device.client.create('note', { title: 'w1' });
    await advance(device, 5_000);
    await device.client.update('note', id, { body: 'w2' });

    expect(queued(device)).toEqual([
      expect.objectContaining({ objectId: id, changeType: 'create', payload: { title: 'w1' }, baseVersion: 0, createdAt: START_MS }),
      expect.objectContaining({ objectId: id, changeType: 'update', payload: { body: 'w2' }, baseVersion: 0, createdAt: START_MS + 5_000 }),
    ]);
    for (const change of queued(device)) expect(change).toMatchObject({ retryCount: 0, attempts: 0, status: 'pending', reason: null });
  });

  it('coalesces an unsent update into the unsent update just before it, keeping every field and the latest edit time', async () => {
    const server = createReferenceServer(newDb());
    const device = await bootDevice(server, 'device-1', newDb(), { coalesceUpdates: true });
    const id = await device.client.create('note', { title: 'w1', body: 'w1' });
    await device.client.sync();

    await device.client.update('note', id, { title: 'w2' });
    await advance(device, 1_000);
    await device.client.update('note', id, { body: 'w3' });
    await device.client.update('note', id, { title: 'w4' });
    expect(queued(device)).toEqual([
      expect.objectContaining({
        changeType: 'update',
        payload: { title: 'w4', body: 'w3' },
        createdAt: START_MS,
        clientTime: START_MS + 1_000,
      }),
    ]);

    await device.client.sync();
    expect(await serverRecord(server, id)).toMatchObject({ fields: { title: 'w4', body: 'w3' }, version: 2 });
    expect(byId(await device.client.list(), id)).toMatchObject({ fields: { title: 'w4', body: 'w3' }, status: 'synced' });
  });

  it('never coalesces into a change that was sent, nor past another record’s change, nor without the setting', async () => {
    const server = createReferenceServer(newDb());
    const device = await bootDevice(server, 'device-1', newDb(), { coalesceUpdates: true });
    const id = await device.client.create('note', { title: 'w1' });
    await device.client.sync();

    await device.client.update('note', id, { title: 'w2' });
    device.network = 'down';
    await device.client.sync(); // w2 was sent: the server may have it
    await device.client.update('note', id, { title: 'w3' });
    const other = await device.client.create('note', { title: 'o1' });
    await device.client.update('note', id, { title: 'w4' });
    expect(payloads(device)).toEqual([{ title: 'w2' }, { title: 'w3' }, { title: 'o1' }, { title: 'w4' }]);

    device.network = 'up';
    await device.client.sync();
    expect(await serverRecord(server, id)).toMatchObject({ fields: { title: 'w4' }, version: 4 });
    expect(await serverRecord(server, other)).toMatchObject({ fields: { title: 'o1' } });

    const plain = await bootDevice(server, 'device-2');
    await plain.client.update('note', id, { title: 'p1' });
    await plain.client.update('note', id, { body: 'p2' });
    expect(payloads(plain)).toEqual([{ title: 'p1' }, { body: 'p2' }]);
  });

  it('shows local before the first send, pending while on the wire or waiting to retry, synced only once acknowledged', async () => {
    const server = createReferenceServer(newDb());
    const device = await bootDevice(server, 'device-1');
    const id = await device.client.create('note', { title: 'w1' });
    expect(byId(await device.client.list(), id)?.status).toBe('local');

    let seenDuringPush: string | undefined;
    device.intercept = async (request) => {
      if (new URL(request.url).pathname === '/v1/push') seenDuringPush = byId(await device.client.list(), id)?.status;
      return undefined;
    };
    await device.client.sync();
    expect(seenDuringPush).toBe('pending');
    expect(byId(await device.client.list(), id)?.status).toBe('synced');

    await device.client.update('note', id, { title: 'w2' });
    expect(byId(await device.client.list(), id)).toMatchObject({ fields: { title: 'w2' }, status: 'local' });
  });

  it('keeps a change the server rejects and shows the record failed with the reason, without retrying it', async () => {
    const server = createReferenceServer(newDb());
    const device = await bootDevice(server, 'device-1');
    const id = await device.client.create('note', { title: 'w1', folderId: 'no-such-folder' });
    await device.client.update('note', id, { title: 'w2' });
    const kept = await device.client.create('note', { title: 'fine' });
    await device.client.sync();

    const shown = await device.client.list();
    expect(byId(shown, id)).toEqual({
      entity: 'note',
      id,
      fields: { title: 'w2', folderId: 'no-such-folder' },
      status: 'failed',
      reason: 'folder no-such-folder does not exist',
    });
    expect(byId(shown, kept)?.status).toBe('synced');
    expect(queued(device).map((change) => [change.changeType, change.status])).toEqual([
      ['create', 'failed'],
      ['update', 'pending'],
    ]);
    expect(eventsNamed(device, 'change-rejected')).toEqual([
      { event: 'change-rejected', data: expect.objectContaining({ id, reason: 'folder no-such-folder does not exist' }) },
    ]);

    const pushes = device.requests.filter((request) => request === 'POST /v1/push').length;
    await device.client.sync();
    expect(device.requests.filter((request) => request === 'POST /v1/push').length).toBe(pushes);
  });

  it('shows a record whose delete the server refused for good again, as failed, until the user acts on it', async () => {
    const server = createReferenceServer(newDb());
    const device = await bootDevice(server, 'device-1');
    const id = await device.client.create('note', { title: 'w1' });
    await device.client.sync();
    await device.client.delete('note', id);
    device.intercept = async (request) => {
      if (new URL(request.url).pathname !== '/v1/push') return undefined;
      const { changes } = (await request.json()) as { changes: { changeId: string }[] };
      return Response.json({ results: changes.map(({ changeId }) => ({ changeId, status: 'rejected', reason: 'deletes are disabled' })) });
    };
    await device.client.sync();
    device.intercept = undefined;
    expect(byId(await device.client.list(), id)).toEqual({ entity: 'note', id, fields: { title: 'w1' }, status: 'failed', reason: 'deletes are disabled' });

    await device.client.update('note', id, { title: 'w2' });
    await device.client.sync();
    expect(byId(await device.client.list(), id)).toMatchObject({ fields: { title: 'w2' }, status: 'synced' });
    expect((await serverRecord(server, id))?.fields).toEqual({ title: 'w2' });
    expect(tableCount(device.db, 'pending_changes')).toBe(0);
  });

  it('lets a delete made while an update was on the wire go through after the server refuses that update', async () => {
    const server = createReferenceServer(newDb());
    const device = await bootDevice(server, 'device-1');
    const id = await device.client.create('note', { title: 'w1' });
    await device.client.sync();
    await device.client.update('note', id, { title: 'w2' });
    device.intercept = async (request) => {
      if (new URL(request.url).pathname !== '/v1/push') return undefined;
      device.intercept = undefined;
      await device.client.delete('note', id);
      const { changes } = (await request.json()) as { changes: { changeId: string }[] };
      return Response.json({ results: changes.map(({ changeId }) => ({ changeId, status: 'rejected', reason: 'updates are disabled' })) });
    };
    await device.client.sync();
    await device.client.sync();
    expect((await serverRecord(server, id))?.deleted).toBe(true);
    expect(byId(await device.client.list(), id)).toBeUndefined();
    expect(tableCount(device.db, 'pending_changes')).toBe(0);
  });

  it('fails a batch the server refuses with a 4xx for good, with the server’s error, and does not retry it', async () => {
    const server = createReferenceServer(newDb());
    const device = await bootDevice(server, 'device-1');
    const id = await device.client.create('note', { title: 'w1' });
    device.intercept = (request) =>
      new URL(request.url).pathname === '/v1/push' ? Response.json({ error: 'changes[0]: too large' }, { status: 413 }) : undefined;
    await device.client.sync();

    expect(byId(await device.client.list(), id)).toMatchObject({ status: 'failed', reason: 'server answered 413: changes[0]: too large' });
    expect(eventsNamed(device, 'sync-failed')).toEqual([]);
    expect(tableCount(device.db, 'pending_changes')).toBe(1);
  });

  it('resends on the next launch a change a killed app left on the wire, and settles it once', async () => {
    const server = createReferenceServer(newDb());
    const first = await bootDevice(server, 'device-1');
    const id = await first.client.create('note', { title: 'w1' });
    first.intercept = async (request) => {
      await server.handle(request); // the server applies it; the app dies before the answer arrives
      return new Promise<Response>(() => {});
    };
    void first.client.sync();
    await new Promise((resolve) => setImmediate(resolve));
    expect(queued(first)).toEqual([expect.objectContaining({ status: 'syncing', attempts: 1 })]);

    const second = await bootDevice(server, 'device-1', first.db);
    expect(byId(await second.client.list(), id)?.status).toBe('synced');
    expect(tableCount(second.db, 'pending_changes')).toBe(0);
    expect(await server.records()).toEqual([expect.objectContaining({ id, version: 1 })]);
  });
});
