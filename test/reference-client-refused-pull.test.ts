// The reference client's pull over a record whose queued changes the server all refused: a version that holds
// just what the device shows is stored (the server took the refused change after all: a network duplicate of the
// push was judged again), so the user's next edit goes on it; any other version, or one over a change still to be
// sent, is kept out as before (everything seed 92).
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { DeviceEnv, Fields } from '../src/adapter.ts';
import { LocalStore } from '../src/reference/client/local-store.ts';
import { migrateOnLaunch, SCHEMA_VERSION } from '../src/reference/client/migrations.ts';
import { PendingQueue } from '../src/reference/client/queue.ts';

const shown: Fields = { title: 'mine', body: 'b', folderId: 'f1' };

function device(schemaVersion = SCHEMA_VERSION) {
  const db = new Database(':memory:');
  // the app's launch, with the tables an older schema keeps in memory
  migrateOnLaunch({ db, log: () => {} } as unknown as DeviceEnv, schemaVersion);
  const store = new LocalStore(db, schemaVersion);
  const queue = new PendingQueue(db, schemaVersion);
  // the user's edit on version 2, refused for good
  store.put({ entity: 'note', id: 'n1', fields: shown, serverVersion: 2, deleted: false });
  queue.enqueue({ changeId: 'edit', objectId: 'n1', entity: 'note', changeType: 'update', payload: { title: 'mine' }, baseVersion: 2, clientTime: 0 }, false);
  queue.markFailed('edit', 'injected: the server rejected this change');
  return { store, queue };
}

const pulled = (fields: Fields, version = 3, deleted = false) => ({ entity: 'note' as const, id: 'n1', fields, version, deleted });

describe('a pull over a record whose changes the server refused', () => {
  it.each([SCHEMA_VERSION, 2])('takes a later version that holds what the device shows, the change staying failed (schema %i)', (schemaVersion) => {
    const { store, queue } = device(schemaVersion);
    // the same state, its fields in another order
    store.putPulled(pulled({ folderId: 'f1', body: 'b', title: 'mine' }));
    expect(store.record('note', 'n1')).toMatchObject({ serverVersion: 3, fields: shown });
    expect(queue.ofRecord('n1')).toMatchObject([{ changeId: 'edit', status: 'failed' }]);
  });

  it('keeps out a version with another state, a missing or extra field, an older one, and any over a change still to be sent', () => {
    const { store, queue } = device();
    store.putPulled(pulled({ ...shown, body: 'theirs' }));
    store.putPulled(pulled({ title: 'mine', body: 'b' }));
    store.putPulled(pulled({ ...shown, extra: null }));
    store.putPulled(pulled({ ...shown, title: null }));
    store.putPulled(pulled(shown, 2));
    store.putPulled(pulled(shown, 3, true));
    expect(store.record('note', 'n1')).toMatchObject({ serverVersion: 2, fields: shown, deleted: false });
    queue.enqueue({ changeId: 'later', objectId: 'n1', entity: 'note', changeType: 'update', payload: { body: 'b' }, baseVersion: 2, clientTime: 0 }, false);
    store.putPulled(pulled(shown));
    expect(store.record('note', 'n1')).toMatchObject({ serverVersion: 2 });
  });
});
