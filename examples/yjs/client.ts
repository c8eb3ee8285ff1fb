// A client adapter around Yjs, a CRDT nobody here wrote: each device edits one shared Y.Doc, keeps
// every update it makes or hears in `env.db` (as y-indexeddb keeps them in IndexedDB), and syncs it
// with y-websocket's WebsocketProvider, whose own `ws` socket goes to the device's proxy (`env.serverUrl`).
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { WebSocket } from 'ws';
import { defineClient, type DeviceEnv, type Entity, type Fields, type SyncClient, type VisibleRecord } from '../../src/adapter.ts';
import { newRecord, recordsOf, ROOM, setFields, visibleRecords } from './records.ts';

/** The origin of updates read back from the store at boot: they are stored already. */
const STORAGE = Symbol('storage');
/** The provider's longest real wait between two reconnects (its default is 2.5 s): 30 simulated seconds at time_scale 60. */
const RECONNECT_MS_MAX = 500;
/** How long `sync()` waits (simulated) for the provider to be connected and synced before it gives up for this call. */
const SYNC_WAIT_MS = 20_000;
const SYNC_POLL_MS = 250;
/** How often (real ms) a boot looks whether it is still alive, to stop its provider once it is killed. */
const ALIVE_POLL_MS = 50;

class YjsClient implements SyncClient {
  private readonly doc = new Y.Doc();
  private readonly provider: WebsocketProvider;

  constructor(private readonly env: DeviceEnv) {
    if (env.serverUrl === undefined) throw new Error('the Yjs example opens its own WebSocket: it needs `transport: http`, where env.serverUrl is the device proxy');
    this.load();
    this.provider = new WebsocketProvider(env.serverUrl.replace(/^http/, 'ws'), ROOM, this.doc, {
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      maxBackoffTime: RECONNECT_MS_MAX,
    });
    this.stopWhenKilled();
  }

  async create(entity: Entity, fields: Fields): Promise<string> {
    const id = newId(this.env.random);
    this.doc.transact(() => recordsOf(this.doc).set(id, newRecord(entity, fields)));
    return id;
  }

  async update(entity: Entity, id: string, fields: Fields): Promise<void> {
    const record = this.live(entity, id);
    this.doc.transact(() => setFields(record, fields));
  }

  async delete(entity: Entity, id: string): Promise<void> {
    const record = this.live(entity, id);
    this.doc.transact(() => record.set('deleted', true));
  }

  /** Yjs tells nothing of which updates the server holds, so no record shows a sync status. */
  async list(): Promise<VisibleRecord[]> {
    return visibleRecords(this.doc);
  }

  /** The provider syncs on its own whenever it is connected: a sync waits (bounded) until it is connected and has synced. */
  sync(): Promise<void> {
    return new Promise((resolve) => {
      const deadlineMs = this.env.now() + SYNC_WAIT_MS;
      const look = () => {
        if ((this.provider.wsconnected && this.provider.synced) || this.env.now() >= deadlineMs) resolve();
        else this.env.setTimeout(look, SYNC_POLL_MS);
      };
      look();
    });
  }

  private live(entity: Entity, id: string): Y.Map<unknown> {
    const record = recordsOf(this.doc).get(id);
    if (!record || record.get('deleted') === true || record.get('entity') !== entity) throw new Error(`no live ${entity} ${id} on ${this.env.deviceId}`);
    return record;
  }

  /** Reads back every stored update, then stores each new one, local or heard, in the same statement that saves it. */
  private load(): void {
    const { db } = this.env;
    db.exec('CREATE TABLE IF NOT EXISTS yjs_updates (seq INTEGER PRIMARY KEY AUTOINCREMENT, data BLOB NOT NULL)');
    const rows = db.prepare('SELECT data FROM yjs_updates ORDER BY seq').all() as { data: Buffer }[];
    if (rows.length > 0) Y.applyUpdate(this.doc, Y.mergeUpdates(rows.map((row) => new Uint8Array(row.data))), STORAGE);
    const insert = db.prepare('INSERT INTO yjs_updates (data) VALUES (?)');
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === STORAGE) return;
      try {
        insert.run(Buffer.from(update));
      } catch (error) {
        // killed while storing an update it heard: the dead process's socket handler just stops (a local write rejects instead)
        if (origin === this.provider && (error as Error).name === 'ProcessKilledError') return;
        throw error;
      }
    });
  }

  /**
   * A killed boot's objects live on in this Node process, and the provider would reconnect on its own real
   * timers (the proxy refuses it): once the fenced handle says the process is gone, the provider is stopped.
   */
  private stopWhenKilled(): void {
    const watch = setInterval(() => {
      if (this.env.db.open) return;
      clearInterval(watch);
      this.provider.destroy();
      this.doc.destroy();
    }, ALIVE_POLL_MS);
    watch.unref();
  }
}

/** Ids come from the seeded source, as the harness asks. */
const newId = (random: () => number) => Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');

/** y-websocket keeps real timers and sockets of its own: it runs only with `transport: http`. */
export default defineClient({ factory: (env) => new YjsClient(env), realTime: true });
