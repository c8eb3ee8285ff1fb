// Tombstone retention: the reference server prunes old tombstones behind a horizon, answers a pull
// from behind it with 410 and resync, serves the snapshot, and still meets a change to a pruned
// record with its delete. The client side is proven by the bug catalog (resync-keeps-missing.ts).
import { describe, expect, it } from 'vitest';
import { createReferenceServer } from '../src/reference/server/server.ts';
import { RESYNC_STATUS } from '../src/protocol/v1.ts';
import { BASE, change, newDb, pull, push, pushOne } from './reference-server-helpers.ts';

/** n1 and n2 created, n1 deleted (stamp 3), then n2 edited (stamp 4). */
async function serverWithDelete() {
  const server = createReferenceServer(newDb());
  await push(server, [change('create', 'n1', { title: 'a' }, 0), change('create', 'n2', { title: 'b' }, 0)]);
  await pushOne(server, change('delete', 'n1', {}, 1, { changeId: 'delete-n1' }));
  await pushOne(server, change('update', 'n2', { title: 'c' }, 1));
  return server;
}

describe('the reference server under tombstone retention', () => {
  it('prunes the tombstones up to a cursor and answers a pull from behind them 410 with resync', async () => {
    const server = await serverWithDelete();
    expect(server.pruneTombstones(3)).toBe(1);
    expect((await server.records()).map((record) => record.id)).toEqual(['n2']);
    for (const cursor of [0, 2]) {
      const response = await server.handle(new Request(`${BASE}/v1/pull?cursor=${cursor}`));
      expect(response.status).toBe(RESYNC_STATUS);
      expect(await response.json()).toMatchObject({ resync: true });
    }
    expect((await pull(server, '?cursor=3')).records.map((record) => record.id)).toEqual(['n2']);
    expect((await pull(server, '?cursor=0&snapshot=true')).records.map((record) => record.id)).toEqual(['n2']);
  });

  it('prunes only up to the cursor it was given', async () => {
    const server = await serverWithDelete();
    await pushOne(server, change('delete', 'n2', {}, 2));
    expect(server.pruneTombstones(4)).toBe(1);
    expect((await pull(server, '?cursor=3')).records.map((record) => [record.id, record.deleted])).toEqual([['n2', true]]);
  });

  it('never stamps a new change with a pruned stamp, so a device at that cursor still gets it', async () => {
    const server = await serverWithDelete();
    await pushOne(server, change('delete', 'n2', {}, 2));
    expect(server.pruneTombstones(5)).toBe(2);
    expect(server.lastCursor()).toBe(5);
    await pushOne(server, change('create', 'n3', { title: 'd' }, 0));
    expect((await pull(server, '?cursor=5')).records.map((record) => record.id)).toEqual(['n3']);
  });

  it('meets a change to a pruned record with its delete, and a create of its id as existing', async () => {
    const server = await serverWithDelete();
    server.pruneTombstones(3);
    const edit = await pushOne(server, change('update', 'n1', { title: 'late' }, 1));
    expect(edit).toMatchObject({ status: 'conflict', record: { id: 'n1', version: 2, deleted: true } });
    expect((await pushOne(server, change('create', 'n1', { title: 'again' }, 0))).status).toBe('rejected');
    expect((await pushOne(server, change('delete', 'n1', {}, 1, { changeId: 'delete-n1' }))).status).toBe('duplicate');
    expect((await server.records()).map((record) => record.id)).toEqual(['n2']);
  });
});
