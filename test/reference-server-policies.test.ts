// The reference server's conflict policies, tombstone rules and referential rules: what each
// policy answers to a concurrent update or delete, and the rules that hold under every policy.
import { describe, expect, it } from 'vitest';
import type { Fields, ServerRecord, SyncServer } from '../src/adapter.ts';
import { CONFLICT_POLICIES, type Change, type ConflictPolicy } from '../src/protocol/v1.ts';
import { createReferenceServer } from '../src/reference/server/server.ts';
import { change, newDb, pull, push, pushOne } from './reference-server-helpers.ts';

function folderChange(
  changeType: Change['changeType'],
  id: string,
  fields: Fields,
  baseVersion: number,
  overrides: Partial<Change> = {},
): Change {
  return change(changeType, id, fields, baseVersion, { entity: 'folder', ...overrides });
}

const FOLDER: ServerRecord = { entity: 'folder', id: 'f1', fields: { name: 'inbox' }, version: 1, deleted: false };
/** Note n1 after d2's edit: what every concurrent change below was not made on. */
const EDITED: ServerRecord = { entity: 'note', id: 'n1', fields: { title: 't2', body: 'a', folderId: 'f1' }, version: 2, deleted: false };

/** Folder f1 holding note n1, created by d1 at clientTime 1000; then d2 retitles n1 at clientTime 2000 (version 2). */
async function editedNote(policy: ConflictPolicy, db = newDb()): Promise<SyncServer> {
  const server = createReferenceServer(db, { policy });
  await push(server, [
    folderChange('create', 'f1', { name: 'inbox' }, 0, { clientTime: 1000 }),
    change('create', 'n1', { title: 'a', body: 'a', folderId: 'f1' }, 0, { clientTime: 1000 }),
  ]);
  expect(await pushOne(server, change('update', 'n1', { title: 't2' }, 1, { clientTime: 2000 }), 'd2')).toMatchObject({
    status: 'applied',
    version: 2,
  });
  return server;
}

async function recordOf(server: SyncServer, id: string): Promise<ServerRecord | undefined> {
  return (await server.records()).find((record) => record.id === id);
}

describe('server-wins and manual policies', () => {
  it.each([
    ['server-wins', /record n1 changed since version 1 \(now at version 2\); the server's version wins/],
    ['manual', /record n1 changed since version 1 \(now at version 2\); both versions go to the user/],
  ] as const)(
    'under %s, a concurrent update gets conflict with the current record, even on other fields and a later clock',
    async (policy, reason) => {
      const server = await editedNote(policy);
      const result = await pushOne(server, change('update', 'n1', { body: 'mine' }, 1, { changeId: 'late', clientTime: 9000 }));
      expect(result).toEqual({ changeId: 'late', status: 'conflict', record: EDITED, reason: expect.stringMatching(reason) });
      expect(await recordOf(server, 'n1')).toEqual(EDITED);
    },
  );

  it.each(['server-wins', 'manual'] as const)('under %s, a concurrent delete gets conflict and the record stays', async (policy) => {
    const server = await editedNote(policy);
    const result = await pushOne(server, change('delete', 'n1', {}, 1, { clientTime: 9000 }));
    expect(result).toMatchObject({ status: 'conflict', record: EDITED });
    expect(result.version).toBeUndefined();
    expect(await recordOf(server, 'n1')).toEqual(EDITED);
  });

  it('defaults to server-wins when no policy is given', async () => {
    const server = createReferenceServer(newDb());
    await push(server, [change('create', 'n1', { title: 'a' }, 0), change('update', 'n1', { title: 'b' }, 1, { clientTime: 1 })], 'd2');
    const result = await pushOne(server, change('update', 'n1', { body: 'mine' }, 1, { clientTime: 9000 }));
    expect(result).toMatchObject({ status: 'conflict', reason: expect.stringMatching(/the server's version wins/) });
  });
});

describe('lww policy', () => {
  it('applies a concurrent update with a later clientTime over the current fields, flagged concurrent', async () => {
    const server = await editedNote('lww');
    const result = await pushOne(server, change('update', 'n1', { body: 'mine' }, 1, { changeId: 'later', clientTime: 3000 }));
    const merged: ServerRecord = { ...EDITED, fields: { title: 't2', body: 'mine', folderId: 'f1' }, version: 3 };
    expect(result).toEqual({ changeId: 'later', status: 'applied', version: 3, record: merged, concurrent: true, replaced: EDITED.fields });
    expect(await recordOf(server, 'n1')).toEqual(merged);
  });

  it('answers a concurrent update with an earlier clientTime with conflict and the current record', async () => {
    const server = await editedNote('lww');
    const result = await pushOne(server, change('update', 'n1', { title: 'mine' }, 1, { clientTime: 1500 }));
    expect(result).toMatchObject({
      status: 'conflict',
      record: EDITED,
      reason: expect.stringMatching(/the server's change is later \(clientTime 2000 from d2, this change 1500 from d1\)/),
    });
    expect(await recordOf(server, 'n1')).toEqual(EDITED);
  });

  it('breaks a clientTime tie by the greater deviceId', async () => {
    const server = await editedNote('lww');
    const fromSmaller = await pushOne(server, change('update', 'n1', { title: 'from d1' }, 1, { clientTime: 2000 }), 'd1');
    expect(fromSmaller.status).toBe('conflict');
    const fromGreater = await pushOne(server, change('update', 'n1', { title: 'from d3' }, 1, { clientTime: 2000 }), 'd3');
    expect(fromGreater).toMatchObject({ status: 'applied', version: 3, concurrent: true, record: { fields: { title: 'from d3' } } });
  });

  it('applies a concurrent delete with a later clientTime as a tombstone, and refuses one with an earlier clientTime', async () => {
    const server = await editedNote('lww');
    expect(await pushOne(server, change('delete', 'n1', {}, 1, { clientTime: 1999 }))).toMatchObject({ status: 'conflict', record: EDITED });
    const result = await pushOne(server, change('delete', 'n1', {}, 1, { clientTime: 2001 }));
    expect(result).toMatchObject({ status: 'applied', version: 3, concurrent: true, record: { ...EDITED, version: 3, deleted: true } });
  });

  it('compares with the clock of the last applied change, even when that clock is behind the one before', async () => {
    const server = await editedNote('lww');
    const behind = await pushOne(server, change('update', 'n1', { body: 'slow clock' }, 2, { clientTime: 100 }), 'd1');
    expect(behind).toEqual(expect.objectContaining({ status: 'applied', version: 3 }));
    expect(behind.concurrent).toBeUndefined();
    const result = await pushOne(server, change('update', 'n1', { title: 'd3' }, 2, { clientTime: 500 }), 'd3');
    expect(result).toMatchObject({ status: 'applied', version: 4, concurrent: true });
  });

  it('answers a concurrent change it applied with duplicate and its version after a restart', async () => {
    const db = newDb();
    const server = await editedNote('lww', db);
    const later = change('update', 'n1', { body: 'mine' }, 1, { clientTime: 3000 });
    expect(await pushOne(server, later)).toMatchObject({ status: 'applied', version: 3 });
    await pushOne(server, change('update', 'n1', { body: 'after' }, 3, { clientTime: 4000 }), 'd2');
    const replay = await pushOne(createReferenceServer(db, { policy: 'lww' }), later);
    expect(replay).toMatchObject({ status: 'duplicate', version: 3, record: { version: 4, fields: { body: 'after' } } });
  });
});

describe('field-merge policy', () => {
  it("applies a concurrent update of other fields, keeping both sides' changes", async () => {
    const server = await editedNote('field-merge');
    const result = await pushOne(server, change('update', 'n1', { body: 'mine' }, 1, { changeId: 'other-field' }));
    const merged: ServerRecord = { ...EDITED, fields: { title: 't2', body: 'mine', folderId: 'f1' }, version: 3 };
    expect(result).toEqual({ changeId: 'other-field', status: 'applied', version: 3, record: merged, concurrent: true, replaced: EDITED.fields });
    expect(await recordOf(server, 'n1')).toEqual(merged);
  });

  it("keeps the server's value of a field changed since baseVersion, writes the others, and names the kept field", async () => {
    const server = await editedNote('field-merge');
    const result = await pushOne(server, change('update', 'n1', { title: 'mine', body: 'mine' }, 1, { changeId: 'overlap' }));
    const merged: ServerRecord = { ...EDITED, fields: { title: 't2', body: 'mine', folderId: 'f1' }, version: 3 };
    expect(result).toEqual({
      changeId: 'overlap',
      status: 'conflict',
      version: 3,
      record: merged,
      reason: "record n1 changed since version 1 (now at version 2); field title kept the server's value",
    });
    expect(await recordOf(server, 'n1')).toEqual(merged);
    expect((await pull(server, '?cursor=0')).records.find((record) => record.id === 'n1')).toEqual(merged);
  });

  it('answers conflict with the current record and no version when every written field changed since baseVersion', async () => {
    const server = await editedNote('field-merge');
    await pushOne(server, change('update', 'n1', { body: 'b3' }, 2), 'd3');
    const result = await pushOne(server, change('update', 'n1', { body: 'mine', title: 'mine' }, 1, { changeId: 'all-taken' }));
    const current: ServerRecord = { ...EDITED, fields: { ...EDITED.fields, body: 'b3' }, version: 3 };
    expect(result).toEqual({
      changeId: 'all-taken',
      status: 'conflict',
      record: current,
      reason: "record n1 changed since version 1 (now at version 3); fields body, title kept the server's value",
    });
    expect(await recordOf(server, 'n1')).toEqual(current);
  });

  it('counts only the changes made after baseVersion', async () => {
    const server = await editedNote('field-merge');
    await pushOne(server, change('update', 'n1', { body: 'b3' }, 2), 'd3');
    const result = await pushOne(server, change('update', 'n1', { title: 'mine' }, 2));
    expect(result).toMatchObject({ status: 'applied', version: 4, concurrent: true, record: { fields: { title: 'mine', body: 'b3' } } });
  });

  it('does not count a field rewritten with the value it had as changed', async () => {
    const server = await editedNote('field-merge');
    await pushOne(server, change('update', 'n1', { title: 't2', body: 'b3' }, 2), 'd3');
    const result = await pushOne(server, change('update', 'n1', { title: 'mine' }, 2));
    expect(result).toMatchObject({ status: 'applied', concurrent: true, record: { fields: { title: 'mine', body: 'b3' } } });
  });

  it('answers a concurrent delete with conflict and keeps the record', async () => {
    const server = await editedNote('field-merge');
    const result = await pushOne(server, change('delete', 'n1', {}, 1));
    expect(result).toMatchObject({ status: 'conflict', record: EDITED, reason: expect.stringMatching(/a delete does not merge/) });
    expect(await recordOf(server, 'n1')).toEqual(EDITED);
  });

  it('answers a partly merged change with duplicate and the version it produced after a restart', async () => {
    const db = newDb();
    const overlap = change('update', 'n1', { title: 'mine', body: 'mine' }, 1);
    expect(await pushOne(await editedNote('field-merge', db), overlap)).toMatchObject({ status: 'conflict', version: 3 });
    const replay = await pushOne(createReferenceServer(db, { policy: 'field-merge' }), overlap);
    expect(replay).toMatchObject({ status: 'duplicate', version: 3, record: { version: 3 } });
  });
});

describe.each(CONFLICT_POLICIES)('under every policy: %s', (policy) => {
  async function deletedNote(): Promise<SyncServer> {
    const server = await editedNote(policy);
    expect(await pushOne(server, change('delete', 'n1', {}, 2), 'd2')).toMatchObject({ status: 'applied', version: 3 });
    return server;
  }
  const TOMBSTONE: ServerRecord = { ...EDITED, version: 3, deleted: true };

  it('answers a stale update or delete of a tombstone with conflict and the tombstone', async () => {
    const server = await deletedNote();
    const [update, remove] = await push(server, [
      change('update', 'n1', { body: 'mine' }, 1, { clientTime: 9000 }),
      change('delete', 'n1', {}, 2, { clientTime: 9000 }),
    ]);
    for (const result of [update, remove]) {
      expect(result).toMatchObject({ status: 'conflict', record: TOMBSTONE, reason: 'record n1 was deleted at version 3' });
    }
    expect(await recordOf(server, 'n1')).toEqual(TOMBSTONE);
  });

  it('rejects an update or delete made on the tombstone itself', async () => {
    const server = await deletedNote();
    const results = await push(server, [change('update', 'n1', { body: 'mine' }, 3), change('delete', 'n1', {}, 3)]);
    expect(results.map((result) => [result.status, result.reason])).toEqual([
      ['rejected', 'record n1 was deleted'],
      ['rejected', 'record n1 was deleted'],
    ]);
  });

  it('answers a delete of a folder that still holds live notes with conflict and the folder', async () => {
    const server = await editedNote(policy);
    await pushOne(server, change('create', 'n2', { folderId: 'f1' }, 0));
    const result = await pushOne(server, folderChange('delete', 'f1', {}, 1, { changeId: 'drop-folder', clientTime: 9000 }));
    expect(result).toEqual({ changeId: 'drop-folder', status: 'conflict', record: FOLDER, reason: 'folder f1 still holds 2 notes' });
    expect(await recordOf(server, 'f1')).toEqual(FOLDER);
  });

  it('rejects a create of an id that exists, whatever its baseVersion', async () => {
    const server = await editedNote(policy);
    const result = await pushOne(server, change('create', 'n1', { title: 'again' }, 0, { clientTime: 9000 }));
    expect(result).toMatchObject({ status: 'rejected', reason: 'record n1 already exists', record: EDITED });
  });
});

describe('record rules', () => {
  it('rejects a change whose baseVersion is ahead of the record', async () => {
    const server = await editedNote('field-merge');
    const result = await pushOne(server, change('update', 'n1', { body: 'mine' }, 5));
    expect(result).toMatchObject({ status: 'rejected', reason: 'baseVersion 5 is ahead of record n1 at version 2', record: EDITED });
  });

  it("rejects a change whose entity is not the record's", async () => {
    const server = await editedNote('server-wins');
    const result = await pushOne(server, folderChange('update', 'n1', { name: 'x' }, 2));
    expect(result).toMatchObject({ status: 'rejected', reason: 'record n1 is a note, not a folder' });
    expect(await recordOf(server, 'n1')).toEqual(EDITED);
  });

  it('refuses to start with an unknown conflict policy', () => {
    expect(() => createReferenceServer(newDb(), { policy: 'newest' as ConflictPolicy })).toThrow(/unknown conflict policy newest/);
  });
});

describe('referential rules', () => {
  it('rejects a note created in a folder that does not exist, or whose folderId names a note', async () => {
    const server = await editedNote('server-wins');
    const results = await push(server, [
      change('create', 'n2', { folderId: 'f9' }, 0),
      change('create', 'n3', { folderId: 'n1' }, 0),
    ]);
    expect(results.map((result) => [result.status, result.reason])).toEqual([
      ['rejected', 'folder f9 does not exist'],
      ['rejected', 'folder n1 does not exist'],
    ]);
    expect((await server.records()).map((record) => record.id)).toEqual(['f1', 'n1']);
  });

  it('rejects a note created in a deleted folder', async () => {
    const server = createReferenceServer(newDb());
    await push(server, [folderChange('create', 'f1', {}, 0), folderChange('delete', 'f1', {}, 1)]);
    expect(await pushOne(server, change('create', 'n1', { folderId: 'f1' }, 0))).toMatchObject({
      status: 'rejected',
      reason: 'folder f1 was deleted',
    });
  });

  it('accepts a note without a folder: folderId absent or null', async () => {
    const server = createReferenceServer(newDb());
    const results = await push(server, [change('create', 'n1', { title: 'a' }, 0), change('create', 'n2', { folderId: null }, 0)]);
    expect(results.map((result) => result.status)).toEqual(['applied', 'applied']);
  });

  it('rejects an update that moves a note into a missing folder, leaving the note as it was', async () => {
    const server = await editedNote('lww');
    const result = await pushOne(server, change('update', 'n1', { folderId: 'f9', title: 'moved' }, 2, { clientTime: 9000 }));
    expect(result).toMatchObject({ status: 'rejected', reason: 'folder f9 does not exist', record: EDITED });
    expect(await recordOf(server, 'n1')).toEqual(EDITED);
  });

  it('checks the folder of a concurrent update that wins on the clock', async () => {
    const server = await editedNote('lww');
    const result = await pushOne(server, change('update', 'n1', { folderId: 'f9' }, 1, { clientTime: 9000 }));
    expect(result).toMatchObject({ status: 'rejected', reason: 'folder f9 does not exist' });
  });

  it('keeps a folder whose delete wins on the clock while it still holds a note', async () => {
    const server = await editedNote('lww');
    await pushOne(server, folderChange('update', 'f1', { name: 'renamed' }, 1, { clientTime: 2000 }), 'd2');
    const result = await pushOne(server, folderChange('delete', 'f1', {}, 1, { clientTime: 9000 }));
    expect(result).toMatchObject({ status: 'conflict', reason: 'folder f1 still holds 1 note', record: { version: 2, deleted: false } });
  });

  it('applies a folder and a note in it pushed in that order, and rejects the note when it comes first', async () => {
    const inOrder = await push(createReferenceServer(newDb()), [
      folderChange('create', 'f1', {}, 0),
      change('create', 'n1', { folderId: 'f1' }, 0),
    ]);
    expect(inOrder.map((result) => result.status)).toEqual(['applied', 'applied']);
    const outOfOrder = await push(createReferenceServer(newDb()), [
      change('create', 'n1', { folderId: 'f1' }, 0),
      folderChange('create', 'f1', {}, 0),
    ]);
    expect(outOfOrder.map((result) => [result.status, result.reason])).toEqual([
      ['rejected', 'folder f1 does not exist'],
      ['applied', undefined],
    ]);
  });

  it('lets a folder go once its notes are moved out or deleted', async () => {
    const server = await editedNote('server-wins');
    await push(server, [folderChange('create', 'f2', {}, 0), change('create', 'n2', { folderId: 'f1' }, 0)]);
    expect(await pushOne(server, folderChange('delete', 'f1', {}, 1))).toMatchObject({ reason: 'folder f1 still holds 2 notes' });
    await push(server, [change('update', 'n1', { folderId: 'f2' }, 2), change('delete', 'n2', {}, 1)]);
    expect(await pushOne(server, folderChange('delete', 'f1', {}, 1))).toMatchObject({ status: 'applied', version: 2 });
    expect(await pushOne(server, folderChange('delete', 'f2', {}, 1))).toMatchObject({ reason: 'folder f2 still holds 1 note' });
  });
});
