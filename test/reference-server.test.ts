// The reference server's protocol v1 mechanics under the default policy: push results, idempotency
// across restarts, pull paging, and 400 answers to malformed requests.
import { describe, expect, it } from 'vitest';
import type { ServerRecord } from '../src/adapter.ts';
import { createReferenceServer } from '../src/reference/server/server.ts';
import { ServerStore } from '../src/reference/server/store.ts';
import { BASE, change, newDb, pull, push, pushRequest } from './reference-server-helpers.ts';

describe('reference server push', () => {
  it('applies a create at version 1 and answers with the record', async () => {
    const server = createReferenceServer(newDb());
    const [result] = await push(server, [change('create', 'n1', { title: 'hello' }, 0, { changeId: 'c1' })]);
    expect(result).toEqual({
      changeId: 'c1',
      status: 'applied',
      version: 1,
      record: { entity: 'note', id: 'n1', fields: { title: 'hello' }, version: 1, deleted: false },
    });
    expect(await server.records()).toEqual([{ entity: 'note', id: 'n1', fields: { title: 'hello' }, version: 1, deleted: false }]);
  });

  it('applies an update on the current version, merging fields and bumping the version', async () => {
    const server = createReferenceServer(newDb());
    await push(server, [change('create', 'n1', { title: 'a', body: 'x' }, 0)]);
    const [result] = await push(server, [change('update', 'n1', { title: 'b' }, 1)]);
    expect(result?.status).toBe('applied');
    expect(result?.version).toBe(2);
    expect(await server.records()).toEqual([{ entity: 'note', id: 'n1', fields: { title: 'b', body: 'x' }, version: 2, deleted: false }]);
  });

  it('applies a delete as a tombstone with the next version', async () => {
    const server = createReferenceServer(newDb());
    await push(server, [change('create', 'n1', { title: 'a' }, 0)]);
    const [result] = await push(server, [change('delete', 'n1', {}, 1)]);
    expect(result?.status).toBe('applied');
    expect(result?.version).toBe(2);
    expect(await server.records()).toEqual([{ entity: 'note', id: 'n1', fields: { title: 'a' }, version: 2, deleted: true }]);
  });

  it('applies a batch change by change, in order, with one result per change', async () => {
    const server = createReferenceServer(newDb());
    const results = await push(server, [
      change('create', 'n1', { title: 'a' }, 0, { changeId: 'c1' }),
      change('update', 'n1', { title: 'b' }, 1, { changeId: 'c2' }),
      change('create', 'n2', { title: 'z' }, 0, { changeId: 'c3' }),
    ]);
    expect(results.map((result) => [result.changeId, result.status, result.version])).toEqual([
      ['c1', 'applied', 1],
      ['c2', 'applied', 2],
      ['c3', 'applied', 1],
    ]);
  });

  it('answers a replayed changeId with duplicate and the original version, without applying it again', async () => {
    const server = createReferenceServer(newDb());
    await push(server, [change('create', 'n1', { title: 'a' }, 0, { changeId: 'c1' })]);
    await push(server, [change('update', 'n1', { title: 'b' }, 1, { changeId: 'c2' })]);
    await push(server, [change('update', 'n1', { title: 'c' }, 2, { changeId: 'c3' })]);

    const [replay] = await push(server, [change('update', 'n1', { title: 'b' }, 1, { changeId: 'c2' })]);
    expect(replay?.status).toBe('duplicate');
    expect(replay?.version).toBe(2);
    const records = await server.records();
    expect(records).toEqual([{ entity: 'note', id: 'n1', fields: { title: 'c' }, version: 3, deleted: false }]);
  });

  it('still answers duplicate after a restart: a new server object over the same database', async () => {
    const db = newDb();
    const before = createReferenceServer(db);
    await push(before, [change('create', 'n1', { title: 'a' }, 0, { changeId: 'c1' })]);
    await push(before, [change('update', 'n1', { title: 'b' }, 1, { changeId: 'c2' })]);

    const after = createReferenceServer(db);
    const results = await push(after, [
      change('create', 'n1', { title: 'a' }, 0, { changeId: 'c1' }),
      change('update', 'n1', { title: 'b' }, 1, { changeId: 'c2' }),
    ]);
    expect(results.map((result) => [result.status, result.version])).toEqual([
      ['duplicate', 1],
      ['duplicate', 2],
    ]);
    expect(await after.records()).toEqual([{ entity: 'note', id: 'n1', fields: { title: 'b' }, version: 2, deleted: false }]);
  });

  it('answers a stale baseVersion with conflict and the current record, leaving it unchanged', async () => {
    const server = createReferenceServer(newDb());
    await push(server, [change('create', 'n1', { title: 'a' }, 0)]);
    await push(server, [change('update', 'n1', { title: 'from device 2' }, 1)], 'device-2');
    const current: ServerRecord = { entity: 'note', id: 'n1', fields: { title: 'from device 2' }, version: 2, deleted: false };

    const [result] = await push(server, [change('update', 'n1', { title: 'from device 1' }, 1, { changeId: 'stale' })]);
    expect(result).toEqual({
      changeId: 'stale',
      status: 'conflict',
      record: current,
      reason: "record n1 changed since version 1 (now at version 2); the server's version wins",
    });
    expect(await server.records()).toEqual([current]);
  });

  it('answers a delete on a stale version with conflict too', async () => {
    const server = createReferenceServer(newDb());
    await push(server, [change('create', 'n1', { title: 'a' }, 0)]);
    await push(server, [change('update', 'n1', { title: 'b' }, 1)]);
    const [result] = await push(server, [change('delete', 'n1', {}, 1)]);
    expect(result?.status).toBe('conflict');
    expect(result?.record?.deleted).toBe(false);
    expect((await server.records())[0]?.deleted).toBe(false);
  });

  it('rejects a create of an existing id and an update of an unknown id, with a reason', async () => {
    const server = createReferenceServer(newDb());
    await push(server, [change('create', 'n1', { title: 'a' }, 0)]);
    const [again, unknown] = await push(server, [
      change('create', 'n1', { title: 'other' }, 0),
      change('update', 'nope', { title: 'x' }, 1),
    ]);
    expect(again?.status).toBe('rejected');
    expect(again?.reason).toMatch(/already exists/);
    expect(unknown?.status).toBe('rejected');
    expect(unknown?.reason).toMatch(/does not exist/);
    expect(await server.records()).toEqual([{ entity: 'note', id: 'n1', fields: { title: 'a' }, version: 1, deleted: false }]);
  });

  it('rejects an update of a deleted record', async () => {
    const server = createReferenceServer(newDb());
    await push(server, [change('create', 'n1', { title: 'a' }, 0), change('delete', 'n1', {}, 1)]);
    const [result] = await push(server, [change('update', 'n1', { title: 'b' }, 2)]);
    expect(result?.status).toBe('rejected');
    expect(result?.reason).toMatch(/deleted/);
  });
});

describe('reference server pull', () => {
  it('answers an empty page from cursor 0 on an empty server', async () => {
    const server = createReferenceServer(newDb());
    expect(await pull(server, '?cursor=0')).toEqual({ records: [], cursor: 0, hasMore: false });
    expect(await pull(server, '')).toEqual({ records: [], cursor: 0, hasMore: false });
  });

  it('pages through changes by cursor with hasMore, oldest change first', async () => {
    const server = createReferenceServer(newDb());
    await push(server, ['n1', 'n2', 'n3', 'n4', 'n5'].map((id) => change('create', id, { title: id }, 0)));

    const first = await pull(server, '?cursor=0&limit=2');
    expect(first.records.map((record) => record.id)).toEqual(['n1', 'n2']);
    expect(first.hasMore).toBe(true);
    const second = await pull(server, `?cursor=${first.cursor}&limit=2`);
    expect(second.records.map((record) => record.id)).toEqual(['n3', 'n4']);
    expect(second.hasMore).toBe(true);
    const third = await pull(server, `?cursor=${second.cursor}&limit=2`);
    expect(third.records.map((record) => record.id)).toEqual(['n5']);
    expect(third.hasMore).toBe(false);
    const empty = await pull(server, `?cursor=${third.cursor}&limit=2`);
    expect(empty).toEqual({ records: [], cursor: third.cursor, hasMore: false });
  });

  it('says hasMore false when the last page is exactly full', async () => {
    const server = createReferenceServer(newDb());
    await push(server, ['n1', 'n2'].map((id) => change('create', id, {}, 0)));
    const page = await pull(server, '?cursor=0&limit=2');
    expect(page.records).toHaveLength(2);
    expect(page.hasMore).toBe(false);
  });

  it('returns only what changed after the cursor, each record at its latest state, tombstones included', async () => {
    const server = createReferenceServer(newDb());
    await push(server, [change('create', 'n1', { title: 'a' }, 0), change('create', 'n2', { title: 'b' }, 0)]);
    const seen = await pull(server, '?cursor=0');
    expect(seen.records).toHaveLength(2);

    await push(server, [change('delete', 'n1', {}, 1)]);
    const next = await pull(server, `?cursor=${seen.cursor}`);
    expect(next.records).toEqual([{ entity: 'note', id: 'n1', fields: { title: 'a' }, version: 2, deleted: true }]);
    expect(next.cursor).toBeGreaterThan(seen.cursor);

    const fromStart = await pull(server, '?cursor=0');
    expect(fromStart.records.map((record) => [record.id, record.version, record.deleted])).toEqual([
      ['n2', 1, false],
      ['n1', 2, true],
    ]);
  });

  it('moves a record updated later to the end of the change order', async () => {
    const server = createReferenceServer(newDb());
    await push(server, [change('create', 'n1', {}, 0), change('create', 'n2', {}, 0)]);
    await push(server, [change('update', 'n1', { title: 'again' }, 1)]);
    const page = await pull(server, '?cursor=0&limit=1');
    expect(page.records.map((record) => record.id)).toEqual(['n2']);
    const rest = await pull(server, `?cursor=${page.cursor}&limit=10`);
    expect(rest.records.map((record) => [record.id, record.version])).toEqual([['n1', 2]]);
  });

  it('gives the change after a rolled-back transaction the cursor right after the last committed one', () => {
    const store = new ServerStore(newDb());
    const stored = (id: string) => ({ record: { entity: 'note', id, fields: {}, version: 1, deleted: false }, fieldVersions: new Map(), clientTimeMs: 0, deviceId: 'd1' }) as const;
    store.write(stored('n1'), 'c1');
    expect(() =>
      store.transaction(() => {
        store.write(stored('n2'), 'c2');
        throw new Error('the batch fails after a write');
      }),
    ).toThrow('the batch fails');
    expect(store.lastCursor()).toBe(1);
    store.write(stored('n3'), 'c3');
    expect(store.changesSince(0, 10)).toEqual({ records: [stored('n1').record, stored('n3').record], cursor: 2, hasMore: false });
  });
});

describe('reference server bad input', () => {
  async function expect400(request: Request, reason: RegExp): Promise<void> {
    const response = await createReferenceServer(newDb()).handle(request);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error?: unknown };
    expect(typeof body.error).toBe('string');
    expect(body.error).toMatch(reason);
  }

  const good = { changeId: 'c1', entity: 'note', id: 'n1', changeType: 'create', fields: { title: 'a' }, baseVersion: 0, clientTime: 0 };

  it('answers 400 to a body that is not JSON', async () => {
    await expect400(pushRequest('{"deviceId": "d1", "changes": ['), /not valid JSON/);
    await expect400(pushRequest(''), /not valid JSON/);
  });

  it.each([
    ['null', null, /JSON object/],
    ['an array', [good], /JSON object/],
    ['a missing deviceId', { changes: [good] }, /deviceId/],
    ['an empty deviceId', { deviceId: '', changes: [good] }, /deviceId/],
    ['changes that is not an array', { deviceId: 'd1', changes: good }, /changes must be an array/],
    ['a change that is not an object', { deviceId: 'd1', changes: ['x'] }, /changes\[0\]: must be an object/],
    ['a missing changeId', { deviceId: 'd1', changes: [{ ...good, changeId: undefined }] }, /changes\[0\]: changeId/],
    ['an empty record id', { deviceId: 'd1', changes: [{ ...good, id: '' }] }, /changes\[0\]: id/],
    ['an unknown entity', { deviceId: 'd1', changes: [{ ...good, entity: 'task' }] }, /changes\[0\]: entity/],
    ['an unknown changeType', { deviceId: 'd1', changes: [{ ...good, changeType: 'upsert' }] }, /changes\[0\]: changeType/],
    ['a negative baseVersion', { deviceId: 'd1', changes: [{ ...good, baseVersion: -1 }] }, /baseVersion/],
    ['a fractional baseVersion', { deviceId: 'd1', changes: [{ ...good, baseVersion: 1.5 }] }, /baseVersion/],
    ['a string baseVersion', { deviceId: 'd1', changes: [{ ...good, baseVersion: '1' }] }, /baseVersion/],
    ['a missing clientTime', { deviceId: 'd1', changes: [{ ...good, clientTime: undefined }] }, /clientTime/],
    ['a fractional clientTime', { deviceId: 'd1', changes: [{ ...good, clientTime: 10.5 }] }, /changes\[0\]: clientTime must be a whole number/],
    ['a string clientTime', { deviceId: 'd1', changes: [{ ...good, clientTime: '10' }] }, /clientTime/],
    ['a lostVersion of 0', { deviceId: 'd1', changes: [{ ...good, lostVersion: 0 }] }, /changes\[0\]: lostVersion must be a whole number >= 1 when given/],
    ['a baseVersion beyond the safe integers', { deviceId: 'd1', changes: [{ ...good, baseVersion: 2 ** 53 }] }, /baseVersion/],
    ['missing fields', { deviceId: 'd1', changes: [{ ...good, fields: undefined }] }, /fields must be an object/],
    ['an object field value', { deviceId: 'd1', changes: [{ ...good, fields: { title: { text: 'a' } } }] }, /fields\.title must be a string or null/],
    ['fields that is an array', { deviceId: 'd1', changes: [{ ...good, fields: ['a'] }] }, /fields must be an object/],
    ['a numeric field value', { deviceId: 'd1', changes: [{ ...good, fields: { title: 5 } }] }, /fields\.title/],
    ['a bad second change', { deviceId: 'd1', changes: [good, { ...good, changeId: 'c2', id: 7 }] }, /changes\[1\]: id/],
  ])('answers 400 to a push with %s', async (_name, body, reason) => {
    await expect400(pushRequest(body), reason);
  });

  it('accepts null field values and ignores unknown keys', async () => {
    const server = createReferenceServer(newDb());
    const response = await server.handle(pushRequest({ deviceId: 'd1', changes: [{ ...good, fields: { title: null }, extra: 'new' }] }));
    expect(response.status).toBe(200);
    expect(await server.records()).toEqual([{ entity: 'note', id: 'n1', fields: { title: null }, version: 1, deleted: false }]);
  });

  it('stores a field named like an Object.prototype key as plain data', async () => {
    const server = createReferenceServer(newDb());
    const body = `{"deviceId":"d1","changes":[{"changeId":"c1","entity":"note","id":"n1","changeType":"create","fields":{"__proto__":"p","constructor":"c"},"baseVersion":0,"clientTime":0}]}`;
    const response = await server.handle(pushRequest(body));
    expect(response.status).toBe(200);
    const [record] = await server.records();
    expect(Object.keys(record?.fields ?? {})).toEqual(['__proto__', 'constructor']);
  });

  it('applies nothing from a batch in which one change is malformed', async () => {
    const server = createReferenceServer(newDb());
    const response = await server.handle(pushRequest({ deviceId: 'd1', changes: [good, { ...good, changeId: 'c2', entity: 'x' }] }));
    expect(response.status).toBe(400);
    expect(await server.records()).toEqual([]);
  });

  it.each(['?cursor=abc', '?cursor=-1', '?cursor=1.5', '?cursor=', '?cursor=0x10', '?limit=0', '?limit=abc', '?limit=1001', '?limit=1e2', '?cursor=0&limit=2.5'])(
    'answers 400 to a pull with %s',
    async (query) => {
      await expect400(new Request(`${BASE}/v1/pull${query}`), /cursor|limit/);
    },
  );

  it('answers 404 with an error to an unknown route or a wrong method', async () => {
    const server = createReferenceServer(newDb());
    for (const request of [
      new Request(`${BASE}/v2/push`, { method: 'POST', body: '{}' }),
      new Request(`${BASE}/v1/push`),
      new Request(`${BASE}/v1/pull`, { method: 'POST', body: '{}' }),
      new Request(`${BASE}/`),
    ]) {
      const response = await server.handle(request);
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: string }).error).toMatch(/no route/);
    }
  });
});
