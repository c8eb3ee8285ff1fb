// Each conflict policy end to end, a reference client against a reference server with the same
// policy: two devices edit one note while apart, and the second to sync meets the first's edit.
// Every conflict is logged with the policy and the local changes it cost.
import { describe, expect, it } from 'vitest';
import type { SyncServer } from '../src/adapter.ts';
import type { ConflictPolicy } from '../src/protocol/v1.ts';
import { createReferenceServer } from '../src/reference/server/server.ts';
import { bootDevice, byId, eventsNamed, newDb, serverRecord, tableCount, type TestDevice } from './reference-client-helpers.ts';

interface SharedNote {
  server: SyncServer;
  one: TestDevice;
  two: TestDevice;
  id: string;
}

/** Device one creates a note {title: w1, body: w1} and syncs; device two boots and pulls it. */
async function sharedNote(policy: ConflictPolicy): Promise<SharedNote> {
  const server = createReferenceServer(newDb(), { policy });
  const one = await bootDevice(server, 'device-1', newDb(), { conflict: policy });
  const id = await one.client.create('note', { title: 'w1', body: 'w1' });
  await one.client.sync();
  const two = await bootDevice(server, 'device-2', newDb(), { conflict: policy });
  return { server, one, two, id };
}

describe('server-wins', () => {
  it('adopts the server record and drops every queued change of the record, logging their ids and payloads', async () => {
    const { server, one, two, id } = await sharedNote('server-wins');
    await two.client.update('note', id, { title: 'theirs' });
    await two.client.sync();
    await one.client.update('note', id, { title: 'mine' });
    await one.client.update('note', id, { body: 'mine too' });
    await one.client.sync();

    expect(byId(await one.client.list(), id)).toEqual({ entity: 'note', id, fields: { title: 'theirs', body: 'w1' }, status: 'synced' });
    expect(tableCount(one.db, 'pending_changes')).toBe(0);
    expect(eventsNamed(one, 'conflict').map((event) => event.data)).toEqual([
      expect.objectContaining({
        id,
        entity: 'note',
        policy: 'server-wins',
        outcome: 'server-kept',
        serverVersion: 2,
        discardedChangeIds: [expect.any(String), expect.any(String)],
        discardedPayloads: [{ title: 'mine' }, { body: 'mine too' }],
      }),
    ]);
    expect(await serverRecord(server, id)).toMatchObject({ fields: { title: 'theirs', body: 'w1' }, version: 2 });
  });
});

describe('lww', () => {
  it('a later local edit wins over the concurrent one, and the conflict is logged though the change applied', async () => {
    const { server, one, two, id } = await sharedNote('lww');
    two.nowMs += 10_000;
    await two.client.update('note', id, { title: 'theirs' });
    await two.client.sync();
    one.nowMs += 20_000;
    await one.client.update('note', id, { title: 'mine' });
    await one.client.sync();

    expect(await serverRecord(server, id)).toMatchObject({ fields: { title: 'mine', body: 'w1' }, version: 3 });
    expect(byId(await one.client.list(), id)).toMatchObject({ fields: { title: 'mine', body: 'w1' }, status: 'synced' });
    expect(eventsNamed(one, 'conflict').map((event) => event.data)).toEqual([
      expect.objectContaining({ id, policy: 'lww', outcome: 'applied-over-concurrent', discardedChangeIds: [] }),
    ]);
    await two.client.sync();
    expect(byId(await two.client.list(), id)).toMatchObject({ fields: { title: 'mine', body: 'w1' }, status: 'synced' });
  });

  it('an earlier local edit loses to the server’s; a later queued edit of the record is still judged on its own clock', async () => {
    const { server, one, two, id } = await sharedNote('lww');
    one.nowMs += 5_000;
    await one.client.update('note', id, { title: 'mine, early' });
    one.nowMs += 25_000;
    await one.client.update('note', id, { body: 'mine, late' });
    two.nowMs += 10_000;
    await two.client.update('note', id, { title: 'theirs' });
    await two.client.sync();
    await one.client.sync();

    const expected = { title: 'theirs', body: 'mine, late' };
    expect(await serverRecord(server, id)).toMatchObject({ fields: expected, version: 3 });
    expect(byId(await one.client.list(), id)).toMatchObject({ fields: expected, status: 'synced' });
    expect(eventsNamed(one, 'conflict').map((event) => event.data)).toEqual([
      expect.objectContaining({ policy: 'lww', outcome: 'server-kept', discardedPayloads: [{ title: 'mine, early' }] }),
      expect.objectContaining({ policy: 'lww', outcome: 'applied-over-concurrent' }),
    ]);
  });
});

describe('field-merge', () => {
  it('keeps both sides’ edits to different fields and logs the merge', async () => {
    const { server, one, two, id } = await sharedNote('field-merge');
    await two.client.update('note', id, { title: 'theirs' });
    await two.client.sync();
    await one.client.update('note', id, { body: 'mine' });
    await one.client.sync();

    const merged = { title: 'theirs', body: 'mine' };
    expect(await serverRecord(server, id)).toMatchObject({ fields: merged, version: 3 });
    expect(byId(await one.client.list(), id)).toMatchObject({ fields: merged, status: 'synced' });
    expect(eventsNamed(one, 'conflict').map((event) => event.data)).toEqual([
      expect.objectContaining({ policy: 'field-merge', outcome: 'applied-over-concurrent' }),
    ]);
  });

  it('adopts the merged record when a field clashed, logs the lost field, and rebases later queued edits onto it', async () => {
    const { server, one, two, id } = await sharedNote('field-merge');
    await two.client.update('note', id, { title: 'theirs' });
    await two.client.sync();
    await one.client.update('note', id, { title: 'mine', body: 'mine' });
    await one.client.update('note', id, { body: 'mine, later' });
    await one.client.sync();

    const expected = { title: 'theirs', body: 'mine, later' };
    expect(await serverRecord(server, id)).toMatchObject({ fields: expected, version: 4 });
    expect(byId(await one.client.list(), id)).toMatchObject({ fields: expected, status: 'synced' });
    expect(eventsNamed(one, 'conflict').map((event) => event.data)).toEqual([
      expect.objectContaining({ policy: 'field-merge', outcome: 'merged', serverVersion: 3, discardedPayloads: [{ title: 'mine' }] }),
    ]);
  });

  it('a later queued edit of the clashed field loses it too, logged, instead of going on the merge over the other device’s value', async () => {
    const { server, one, two, id } = await sharedNote('field-merge');
    await two.client.update('note', id, { title: 'theirs' });
    await two.client.sync();
    await one.client.update('note', id, { title: 'mine', body: 'mine' });
    await one.client.update('note', id, { title: 'mine, later', body: 'mine, later' });
    await one.client.update('note', id, { title: 'mine, last' });
    await one.client.sync();

    // the edit left with no field is dropped: the merge (3) and the later edit's body (4) are all the server gets
    const expected = { title: 'theirs', body: 'mine, later' };
    expect(await serverRecord(server, id)).toMatchObject({ fields: expected, version: 4 });
    expect(byId(await one.client.list(), id)).toMatchObject({ fields: expected, status: 'synced' });
    expect(tableCount(one.db, 'pending_changes')).toBe(0);
    expect(eventsNamed(one, 'conflict').map((event) => event.data)).toEqual([
      expect.objectContaining({
        policy: 'field-merge',
        outcome: 'merged',
        serverVersion: 3,
        discardedChangeIds: [expect.any(String), expect.any(String), expect.any(String)],
        discardedPayloads: [{ title: 'mine' }, { title: 'mine, later' }, { title: 'mine, last' }],
      }),
    ]);
  });
});

describe('manual', () => {
  it('puts both versions in the inbox and keeps showing the local one, which pulls do not overwrite', async () => {
    const { one, two, id } = await sharedNote('manual');
    await two.client.update('note', id, { title: 'theirs' });
    await two.client.sync();
    await one.client.update('note', id, { title: 'mine' });
    await one.client.sync();

    const [conflict] = (await one.client.conflicts?.()) ?? [];
    expect(conflict).toEqual({
      conflictId: expect.any(String),
      entity: 'note',
      id,
      local: { title: 'mine', body: 'w1' },
      server: { title: 'theirs', body: 'w1' },
    });
    expect(byId(await one.client.list(), id)).toEqual({ entity: 'note', id, fields: { title: 'mine', body: 'w1' }, status: 'conflict' });
    expect(tableCount(one.db, 'pending_changes')).toBe(0);
    expect(eventsNamed(one, 'conflict').map((event) => event.data)).toEqual([
      expect.objectContaining({ id, policy: 'manual', outcome: 'inbox', conflictId: conflict?.conflictId }),
    ]);

    await two.client.update('note', id, { body: 'theirs too' });
    await two.client.sync();
    await one.client.sync();
    expect(byId(await one.client.list(), id)).toMatchObject({ fields: { title: 'mine', body: 'w1' }, status: 'conflict' });
    expect((await one.client.conflicts?.())?.[0]?.server).toEqual({ title: 'theirs', body: 'theirs too' });
  });

  it('keeps edits made while the conflict is open on the local side, and resolve() syncs the chosen fields', async () => {
    const { server, one, two, id } = await sharedNote('manual');
    await two.client.update('note', id, { title: 'theirs' });
    await two.client.sync();
    await one.client.update('note', id, { title: 'mine' });
    await one.client.sync();
    await one.client.update('note', id, { body: 'mine, while in conflict' });
    expect(tableCount(one.db, 'pending_changes')).toBe(0);

    const [conflict] = (await one.client.conflicts?.()) ?? [];
    expect(conflict?.local).toEqual({ title: 'mine', body: 'mine, while in conflict' });
    await one.client.resolve?.(conflict?.conflictId ?? '', { title: 'mine + theirs', body: 'mine, while in conflict' });
    const resolved = { title: 'mine + theirs', body: 'mine, while in conflict' };
    expect(byId(await one.client.list(), id)).toMatchObject({ fields: resolved, status: 'local' });
    expect(await one.client.conflicts?.()).toEqual([]);

    await one.client.sync();
    expect(await serverRecord(server, id)).toMatchObject({ fields: resolved, version: 3 });
    expect(byId(await one.client.list(), id)).toMatchObject({ fields: resolved, status: 'synced' });
    await two.client.sync();
    expect(byId(await two.client.list(), id)).toMatchObject({ fields: resolved, status: 'synced' });
  });

  it('closes an open conflict when the user deletes the record, but the delete builds on what the user saw: the server keeps the edit they never opened, and says so', async () => {
    const { server, one, two, id } = await sharedNote('manual');
    await two.client.update('note', id, { title: 'theirs' });
    await two.client.sync();
    await one.client.update('note', id, { title: 'mine' });
    await one.client.sync();
    const [conflict] = (await one.client.conflicts?.()) ?? [];

    await one.client.delete('note', id);
    expect(await one.client.conflicts?.()).toEqual([]);
    expect(eventsNamed(one, 'conflict-resolved').map((event) => event.data)).toEqual([
      expect.objectContaining({ conflictId: conflict?.conflictId, id, changeType: 'delete' }),
    ]);
    expect(byId(await one.client.list(), id)).toBeUndefined();
    await one.client.sync();
    expect(await serverRecord(server, id)).toMatchObject({ deleted: false, fields: { title: 'theirs', body: 'w1' }, version: 2 });
    expect(byId(await one.client.list(), id)).toMatchObject({ fields: { title: 'theirs', body: 'w1' }, status: 'synced' });
    expect(eventsNamed(one, 'conflict').map((event) => event.data?.outcome)).toEqual(['inbox', 'server-kept']);
  });

  it('lets a delete made while a conflict is open win when the server holds nothing the user had not seen', async () => {
    const { server, one, two, id } = await sharedNote('manual');
    await two.client.update('note', id, { title: 'theirs' });
    await two.client.sync();
    await one.client.update('note', id, { title: 'mine' });
    await one.client.sync();
    const [conflict] = (await one.client.conflicts?.()) ?? [];
    await one.client.resolve?.(conflict?.conflictId ?? '', { title: 'theirs' });
    await one.client.sync();

    await one.client.delete('note', id);
    await one.client.sync();
    expect(await serverRecord(server, id)).toMatchObject({ deleted: true, version: 4 });
  });

  it('restores the server record when a delete conflicts, logs it, and opens no inbox entry', async () => {
    const { server, one, two, id } = await sharedNote('manual');
    await two.client.update('note', id, { title: 'theirs' });
    await two.client.sync();
    await one.client.delete('note', id);
    await one.client.sync();

    expect(byId(await one.client.list(), id)).toMatchObject({ fields: { title: 'theirs', body: 'w1' }, status: 'synced' });
    expect(await one.client.conflicts?.()).toEqual([]);
    expect(eventsNamed(one, 'conflict').map((event) => event.data)).toEqual([
      expect.objectContaining({ id, policy: 'manual', outcome: 'server-kept', discardedPayloads: [{}] }),
    ]);
    expect(await serverRecord(server, id)).toMatchObject({ deleted: false, version: 2 });
  });
});

describe.each(['server-wins', 'lww', 'field-merge', 'manual'] as const)('%s', (policy) => {
  it('brings back a folder whose delete the server refused because a note still lives in it', async () => {
    const server = createReferenceServer(newDb(), { policy });
    const one = await bootDevice(server, 'device-1', newDb(), { conflict: policy });
    const folderId = await one.client.create('folder', { name: 'trip' });
    await one.client.sync();
    const two = await bootDevice(server, 'device-2', newDb(), { conflict: policy });
    const noteId = await two.client.create('note', { title: 'packing list', folderId });
    await two.client.sync();

    await one.client.delete('folder', folderId); // device one has not seen the note yet
    one.intercept = (request) => (request.method === 'GET' ? Response.json({ error: 'down' }, { status: 503 }) : undefined);
    await one.client.sync();
    expect(byId(await one.client.list(), folderId)).toMatchObject({ fields: { name: 'trip' }, status: 'synced' });
    expect(eventsNamed(one, 'conflict').map((event) => event.data)).toEqual([
      expect.objectContaining({ id: folderId, entity: 'folder', policy, outcome: 'server-kept' }),
    ]);

    one.intercept = undefined;
    await one.client.sync();
    expect(byId(await one.client.list(), noteId)).toMatchObject({ fields: { folderId }, status: 'synced' });
    expect(await serverRecord(server, folderId)).toMatchObject({ deleted: false, version: 1 });
  });
});
