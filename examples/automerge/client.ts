// A client adapter around automerge-repo, a CRDT nobody here wrote: each device's Repo keeps the one
// shared document in `env.db` (sqlite-storage.ts) and syncs it with the sync server through the
// WebSocket network adapter, whose own socket goes to the device's proxy (`env.serverUrl`).
import { parseAutomergeUrl, Repo, type DocHandle, type PeerId } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { defineClient, type ClientDefinition, type DeviceEnv, type Entity, type Fields, type SyncClient, type VisibleRecord } from '../../src/adapter.ts';
import { NOTEBOOK_URL, notebookRoot, visibleRecords, type Notebook } from './records.ts';
import { SqliteStorageAdapter } from './sqlite-storage.ts';

/** The network adapter's real wait before it reconnects (its default is 5 s): 30 simulated seconds at time_scale 60. */
const RECONNECT_MS = 500;
/** How long `sync()` waits (simulated) for the socket to be open before it gives up for this call. */
const SYNC_WAIT_MS = 20_000;
const SYNC_POLL_MS = 250;
/** How often (real ms) a boot looks whether it is still alive, to stop its network once it is killed. */
const ALIVE_POLL_MS = 50;

class AutomergeClient implements SyncClient {
  private constructor(
    private readonly env: DeviceEnv,
    private readonly repo: Repo,
    private readonly network: WebSocketClientAdapter,
    private readonly handle: DocHandle<Notebook>,
  ) {}

  /** Opens the device's repo on its store, which holds the document from the first boot on (its shared root), so nothing waits for the network. */
  static async boot(env: DeviceEnv, Network: typeof WebSocketClientAdapter): Promise<AutomergeClient> {
    if (env.serverUrl === undefined) throw new Error('the Automerge example opens its own WebSocket: it needs `transport: http`, where env.serverUrl is the device proxy');
    const network = new Network(env.serverUrl.replace(/^http/, 'ws'), RECONNECT_MS);
    const storage = new SqliteStorageAdapter(env.db);
    await storage.seed(parseAutomergeUrl(NOTEBOOK_URL).documentId, notebookRoot());
    const repo = new Repo({
      storage,
      network: [network],
      peerId: `${env.deviceId}-${Math.floor(env.random() * 2 ** 32).toString(16)}` as PeerId,
      sharePolicy: async () => true,
    });
    stopWhenKilled(env, network);
    const handle = await repo.find<Notebook>(NOTEBOOK_URL);
    return new AutomergeClient(env, repo, network, handle);
  }

  async create(entity: Entity, fields: Fields): Promise<string> {
    const id = newId(this.env.random);
    this.handle.change((doc) => void (doc.records[id] = { entity, deleted: false, fields: { ...fields } }));
    await this.saved();
    return id;
  }

  async update(entity: Entity, id: string, fields: Fields): Promise<void> {
    this.live(entity, id);
    this.handle.change((doc) => {
      const record = doc.records[id];
      if (record) Object.assign(record.fields, fields);
    });
    await this.saved();
  }

  async delete(entity: Entity, id: string): Promise<void> {
    this.live(entity, id);
    this.handle.change((doc) => {
      const record = doc.records[id];
      if (record) record.deleted = true;
    });
    await this.saved();
  }

  /** automerge-repo tells nothing of which changes the server holds, so no record shows a sync status. */
  async list(): Promise<VisibleRecord[]> {
    return visibleRecords(this.handle.doc());
  }

  /** The repo syncs on its own whenever its socket is open: a sync waits (bounded) until it is. */
  sync(): Promise<void> {
    return new Promise((resolve) => {
      const deadlineMs = this.env.now() + SYNC_WAIT_MS;
      const look = () => {
        if (this.network.socket?.readyState === 1 || this.env.now() >= deadlineMs) resolve();
        else this.env.setTimeout(look, SYNC_POLL_MS);
      };
      look();
    });
  }

  private live(entity: Entity, id: string): void {
    const record = this.handle.doc().records[id];
    if (!record || record.deleted || record.entity !== entity) throw new Error(`no live ${entity} ${id} on ${this.env.deviceId}`);
  }

  /** The repo saves on a debounce of its own: a write is saved on the device only once it is flushed to the store. */
  private saved(): Promise<void> {
    return this.repo.flush([this.handle.documentId]);
  }
}

/**
 * A killed boot's objects live on in this Node process, and the network adapter would reconnect on its
 * own real timers (the proxy refuses it): once the fenced handle says the process is gone, it is stopped.
 */
function stopWhenKilled(env: DeviceEnv, network: WebSocketClientAdapter): void {
  const watch = setInterval(() => {
    if (env.db.open) return;
    clearInterval(watch);
    // disconnect() takes the adapter's listeners off and then closes: a socket still connecting then emits an
    // error nobody listens to, which crashes Node (README, findings), so one listener stays
    network.socket?.on('error', () => {});
    if (network.socket) network.disconnect();
  }, ALIVE_POLL_MS);
  watch.unref();
}

/** Ids come from the seeded source, as the harness asks. */
const newId = (random: () => number) => Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');

/**
 * The network adapter with two crashes of Node taken out (README, findings): a reconnect takes the
 * adapter's listeners off a socket still connecting and abandons it, so its later failure is an `error`
 * event nobody hears; and `onError` rethrows every socket error but ECONNREFUSED from inside the listener.
 */
export class ListeningClientAdapter extends WebSocketClientAdapter {
  override onError = (): void => {};

  override connect(...args: Parameters<WebSocketClientAdapter['connect']>): void {
    this.socket?.on('error', () => {});
    super.connect(...args);
  }
}

/** The adapter over one network adapter class. automerge-repo keeps real timers and sockets of its own: it runs only with `transport: http`. */
export function automergeClient(Network: typeof WebSocketClientAdapter): ClientDefinition {
  return defineClient({ factory: (env) => AutomergeClient.boot(env, Network), realTime: true });
}

export default automergeClient(ListeningClientAdapter);
