// The reference client's resync after a server restore: only the change the resync queues for a record
// names the lost version it builds on; a user's later edit of that record names none, so a server that
// holds a later version from before the restore judges the edit as an edit, not as a lost version put back.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { DeviceEnv } from '../src/adapter.ts';
import { ConflictInbox } from '../src/reference/client/inbox.ts';
import { LocalStore } from '../src/reference/client/local-store.ts';
import { migrate, SCHEMA_VERSION } from '../src/reference/client/migrations.ts';
import { PendingQueue } from '../src/reference/client/queue.ts';
import { resync } from '../src/reference/client/resync.ts';
import { Settlement } from '../src/reference/client/settle.ts';
import { createRng } from '../src/sim/rng.ts';

function device() {
  const db = new Database(':memory:');
  migrate(db, SCHEMA_VERSION);
  const rng = createRng(1, 'resync');
  const env = { deviceId: 'd1', db, random: () => rng.next(), log: () => {}, now: () => 0 } as unknown as DeviceEnv;
  const store = new LocalStore(db, SCHEMA_VERSION);
  const queue = new PendingQueue(db, SCHEMA_VERSION);
  const inbox = new ConflictInbox(db);
  const settlement = new Settlement(env, store, queue, inbox, 'server-wins');
  return { env, parts: { store, queue, inbox, settlement } };
}

describe('the reference client after a server restore', () => {
  it('names the lost version on the put-back it queues, and on no later edit made on that version', () => {
    const { env, parts } = device();
    const { store, queue, settlement } = parts;
    store.put({ entity: 'folder', id: 'f1', fields: { name: 'v5' }, serverVersion: 5, deleted: false });
    store.transaction(() => resync(env, parts, new Map(), 9));
    settlement.restored();
    const [putBack] = queue.scan();
    expect(putBack).toMatchObject({ objectId: 'f1', changeType: 'create', baseVersion: 5 });
    expect(settlement.lostBase(putBack!)).toBe(5);
    // the server put it back at version 5; then the user edits the folder there
    store.transaction(() => settlement.settle(putBack!, { changeId: putBack!.changeId, status: 'applied', version: 5, record: { entity: 'folder', id: 'f1', fields: { name: 'v5' }, version: 5, deleted: false } }));
    queue.enqueue({ changeId: 'edit', objectId: 'f1', entity: 'folder', changeType: 'update', payload: { name: 'mine' }, baseVersion: 5, clientTime: 0 }, false);
    const [edit] = queue.scan();
    expect(edit).toMatchObject({ changeId: 'edit', baseVersion: 5 });
    expect(settlement.lostBase(edit!)).toBeUndefined();
  });
});
