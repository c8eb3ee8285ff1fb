// The `ordering` knob: which queued changes go to the server next. Under `dependency` and `serial`
// a note created offline inside a new folder reaches the server after its folder; under `parallel`
// it may overtake the folder, be refused, and then shows `failed` with the server's reason.
import { describe, expect, it } from 'vitest';
import type { Entity, Fields } from '../src/adapter.ts';
import type { PushRequest } from '../src/protocol/v1.ts';
import type { Ordering } from '../src/adapter.ts';
import { selectBatch } from '../src/reference/client/ordering.ts';
import type { PendingChange } from '../src/reference/client/queue.ts';
import { createReferenceServer } from '../src/reference/server/server.ts';
import { bootDevice, byId, newDb, serverRecord } from './reference-client-helpers.ts';

let seq = 0;
function queued(entity: Entity, objectId: string, changeType: PendingChange['changeType'], payload: Fields = {}): PendingChange {
  seq++;
  return {
    seq,
    changeId: `c${seq}`,
    objectId,
    entity,
    changeType,
    payload,
    baseVersion: 0,
    createdAt: 0,
    clientTime: 0,
    retryCount: 0,
    attempts: 0,
    status: 'pending',
    reason: null,
  };
}

function ids(ordering: Ordering, queue: PendingChange[], limit = 10): string[] {
  return selectBatch(queue, ordering, limit).map((change) => change.changeId);
}

describe('selectBatch', () => {
  // c1 folder F created, c2 F renamed, c3 note N created in F, c4 note M created elsewhere, c5 N edited.
  const folderThenNote = () => {
    seq = 0;
    return [
      queued('folder', 'F', 'create', { name: 'f' }),
      queued('folder', 'F', 'update', { name: 'f2' }),
      queued('note', 'N', 'create', { title: 'n', folderId: 'F' }),
      queued('note', 'M', 'create', { title: 'm', folderId: null }),
      queued('note', 'N', 'update', { title: 'n2' }),
    ];
  };

  it('dependency: one change per record, and a note waits while its folder has a change held back', () => {
    expect(ids('dependency', folderThenNote())).toEqual(['c1', 'c4']);
  });

  it('serial: the queue’s prefix, up to the first change that cannot go yet', () => {
    expect(ids('serial', folderThenNote())).toEqual(['c1']);
  });

  it('parallel: one change per record, with no regard for folders', () => {
    expect(ids('parallel', folderThenNote())).toEqual(['c1', 'c3', 'c4']);
  });

  it('never takes more than the limit', () => {
    expect(ids('parallel', folderThenNote(), 2)).toEqual(['c1', 'c3']);
  });

  it('dependency: a folder delete waits while an earlier change of a note is held back', () => {
    seq = 0;
    const queue = [
      queued('note', 'N', 'update', { title: 'n2' }),
      queued('note', 'N', 'delete'),
      queued('folder', 'F', 'delete'),
      queued('folder', 'G', 'update', { name: 'g' }),
    ];
    expect(ids('dependency', queue)).toEqual(['c1', 'c4']);
    expect(ids('parallel', queue)).toEqual(['c1', 'c3', 'c4']);
  });

  it('skips a record whose earlier change was refused for good, in every ordering', () => {
    seq = 0;
    const refused: PendingChange = {
      ...queued('note', 'N', 'create', { folderId: 'gone' }),
      status: 'failed',
      reason: 'folder gone was deleted',
    };
    const queue = [refused, queued('note', 'N', 'update', { title: 'n2' }), queued('note', 'M', 'create', { title: 'm' })];
    for (const ordering of ['dependency', 'serial', 'parallel'] as const) expect(ids(ordering, queue)).toEqual(['c3']);
  });
});

describe('reference client ordering', () => {
  describe.each(['dependency', 'serial'] as const)('%s', (ordering) => {
    it('a note created offline inside a new folder reaches the server after its folder', async () => {
      const server = createReferenceServer(newDb());
      const device = await bootDevice(server, 'device-1', newDb(), { ordering, batchSize: 1 });
      device.network = 'down';
      const folderId = await device.client.create('folder', { name: 'trip' });
      await device.client.update('folder', folderId, { name: 'trip 2' });
      const noteId = await device.client.create('note', { title: 'packing list', folderId });
      await device.client.sync();

      device.network = 'up';
      const pushed: string[] = [];
      device.intercept = async (request) => {
        if (request.method === 'POST') pushed.push(...((await request.clone().json()) as PushRequest).changes.map((change) => change.id));
        return undefined;
      };
      await device.client.sync();
      expect(pushed.indexOf(folderId)).toBeLessThan(pushed.indexOf(noteId));
      expect((await device.client.list()).map((record) => record.status)).toEqual(['synced', 'synced']);
      expect(await serverRecord(server, noteId)).toMatchObject({ fields: { title: 'packing list', folderId }, version: 1 });
    });
  });

  it('parallel: a note that overtakes its folder is refused and shows failed with the reason', async () => {
    const server = createReferenceServer(newDb());
    const device = await bootDevice(server, 'device-1', newDb(), { ordering: 'parallel' });
    const folderId = await device.client.create('folder', { name: 'trip' });
    const noteId = await device.client.create('note', { title: 'packing list', folderId });

    // The folder's request is slower on the network: it reaches the server after the note's was answered.
    let noteAnswered: () => void = () => {};
    const noteDone = new Promise<void>((resolve) => (noteAnswered = resolve));
    let requests = 0;
    device.intercept = async (request) => {
      if (request.method !== 'POST') return undefined;
      requests++;
      const [change] = ((await request.clone().json()) as PushRequest).changes;
      if (change?.entity === 'folder') await noteDone;
      const response = await server.handle(request);
      if (change?.entity === 'note') noteAnswered();
      return response;
    };
    await device.client.sync();

    expect(requests).toBe(2);
    const shown = await device.client.list();
    expect(byId(shown, folderId)?.status).toBe('synced');
    expect(byId(shown, noteId)).toMatchObject({ status: 'failed', reason: `folder ${folderId} does not exist` });
    expect(await serverRecord(server, noteId)).toBeUndefined();
  });
});
