// A client adapter around PouchDB, a sync library nobody here wrote: each device keeps a leveldb
// PouchDB in `env.dataDir` and replicates with the server's CouchDB database (push, then pull) over
// `env.fetch`, on the device's timers. CouchDB keeps concurrent revisions and picks a winner
// deterministically; a losing revision (`_conflicts`) waits in its author's inbox, logged when first seen.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineClient, type ClientDefinition, type ClientSettings, type Conflict, type DeviceEnv, type Entity, type Fields, type SyncClient, type VisibleRecord } from '../../src/adapter.ts';
import { DATABASE, isConflict, PouchDB, type Database, type PouchDoc } from './pouch.ts';

/** Only the path reaches the server: the transport aims every request at the server the run started. */
const REMOTE_URL = `http://sync-server.sim/${DATABASE}`;
/** A `_local` document (never replicated) naming the conflicts already logged, so a reboot does not log them again. */
const LOGGED_ID = '_local/logged-conflicts';

interface Timing {
  syncIntervalMs: number;
  debounceMs: number;
  batchSize: number;
}

/**
 * The devices' open databases. A killed app's PouchDB is abandoned, not closed (a dead process runs
 * no code), and pouchdb-node hands a reopen of the same folder the same leveldb store, as the OS
 * would hand a new process the files the dead one wrote: no LOCK is held against it. Stores of
 * earlier runs (their folders removed) are closed when the next device boots.
 */
const openDatabases = new Map<string, Database>();

function openLocal(dataDir: string): Database {
  for (const [folder, db] of openDatabases) {
    if (existsSync(folder)) continue;
    openDatabases.delete(folder);
    void db.close().catch(() => undefined);
  }
  const db = new PouchDB(join(dataDir, 'pouch'));
  openDatabases.set(dataDir, db);
  return db;
}

class PouchClient implements SyncClient {
  private readonly local: Database;
  private readonly remote: Database;
  private chain: Promise<unknown> = Promise.resolve();
  private cancelDebounce: (() => void) | undefined;

  constructor(
    private readonly env: DeviceEnv,
    private readonly timing: Timing,
  ) {
    this.local = openLocal(env.dataDir);
    this.remote = new PouchDB(REMOTE_URL, { fetch: namingFailures(env.fetch), skip_setup: true });
    const tick = () => void this.sync().finally(() => env.setTimeout(tick, timing.syncIntervalMs));
    tick();
  }

  async create(entity: Entity, fields: Fields): Promise<string> {
    const id = newId(this.env.random);
    await this.local.put({ _id: id, entity, fields, author: this.env.deviceId });
    this.syncSoon();
    return id;
  }

  async update(entity: Entity, id: string, fields: Fields): Promise<void> {
    await this.rewrite(entity, id, (doc) => ({ ...doc, fields: { ...doc.fields, ...fields }, author: this.env.deviceId }));
  }

  async delete(entity: Entity, id: string): Promise<void> {
    await this.rewrite(entity, id, (doc) => ({ ...doc, _deleted: true, author: this.env.deviceId }));
  }

  /** Every live document (its winning revision); one whose losing revision this device wrote waits in the inbox, and says so. */
  async list(): Promise<VisibleRecord[]> {
    const { rows } = await this.local.allDocs({ include_docs: true });
    const open = new Set((await this.conflicts()).map((conflict) => conflict.id));
    return rows.flatMap(({ doc }) =>
      doc?.entity ? [{ entity: doc.entity, id: doc._id, fields: doc.fields ?? {}, ...(open.has(doc._id) ? { status: 'conflict' as const } : {}) }] : [],
    );
  }

  /** Push, then pull; calls run one after another, so a change made before a call is pushed before it resolves. */
  sync(): Promise<void> {
    const run = this.chain.then(() => this.replicate());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * One conflict per losing revision, in the inbox of the device that wrote it, beside the winner CouchDB
   * picked: every device sees every revision, and if each settled each one their answers would conflict again.
   */
  async conflicts(): Promise<Conflict[]> {
    const conflicts: Conflict[] = [];
    const { rows } = await this.local.allDocs({ include_docs: true, conflicts: true });
    for (const winner of rows.flatMap(({ doc }) => (doc?.entity && doc._conflicts ? [doc] : []))) {
      for (const rev of winner._conflicts ?? []) {
        const loser = await this.local.get(winner._id, { rev });
        if (loser.author !== this.env.deviceId) continue;
        conflicts.push({ conflictId: `${winner._id}/${rev}`, entity: winner.entity!, id: winner._id, local: loser.fields ?? {}, server: winner.fields ?? {} });
      }
    }
    return conflicts;
  }

  /** The user's choice becomes the winner's next revision, and the losing revision is deleted, as PouchDB's guide resolves conflicts. */
  async resolve(conflictId: string, fields: Fields): Promise<void> {
    const slash = conflictId.lastIndexOf('/');
    const [id, rev] = [conflictId.slice(0, slash), conflictId.slice(slash + 1)];
    for (;;) {
      const { _conflicts: open, ...winner } = await this.local.get(id, { conflicts: true });
      const losing = open?.includes(rev) ? [{ _id: id, _rev: rev, _deleted: true }] : [];
      const [written] = await this.local.bulkDocs([{ ...winner, fields: { ...winner.fields, ...fields }, author: this.env.deviceId }, ...losing]);
      if (written?.ok) break;
      if (written?.status !== 409) throw new Error(`resolving ${conflictId}: ${written?.error ?? 'no answer'}`);
    }
    this.syncSoon();
  }

  private async replicate(): Promise<void> {
    const options = { batch_size: this.timing.batchSize };
    try {
      await this.local.replicate.to(this.remote, options);
      await this.local.replicate.from(this.remote, options);
    } catch (error) {
      this.env.log('sync-failed', { reason: error instanceof Error ? error.message : String(error) });
    }
    await this.logNewConflicts();
  }

  /** Reads the user's record, changes it, writes it back; a pull that wrote it in between makes PouchDB answer 409: read again. */
  private async rewrite(entity: Entity, id: string, change: (doc: PouchDoc) => PouchDoc): Promise<void> {
    for (;;) {
      const doc = await this.local.get(id);
      if (doc.entity !== entity) throw new Error(`${id} is a ${doc.entity ?? 'document'}, not a ${entity}`);
      try {
        await this.local.put(change(doc));
        break;
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
    }
    this.syncSoon();
  }

  /** A sync `debounce` after the last local write, as an app replicating on change would. */
  private syncSoon(): void {
    this.cancelDebounce?.();
    this.cancelDebounce = this.env.setTimeout(() => void this.sync(), this.timing.debounceMs);
  }

  /** Logs each conflict the first time this device sees it, with both sides' values: the app told its user. */
  private async logNewConflicts(): Promise<void> {
    const logged = await this.local.get(LOGGED_ID).catch((): PouchDoc => ({ _id: LOGGED_ID }));
    const keys = new Set(logged.keys);
    const fresh = (await this.conflicts()).filter((conflict) => !keys.has(conflict.conflictId));
    if (fresh.length === 0) return;
    for (const { conflictId, entity, id, local, server } of fresh) {
      this.env.log('conflict', { id, entity, policy: 'couchdb-winner', conflictId, losing: local, winning: server });
      keys.add(conflictId);
    }
    await this.local.put({ ...logged, keys: [...keys] });
  }
}

/** `env.fetch`, naming the request in a network failure's message: a failure PouchDB leaves unhandled then says where it came from. */
function namingFailures(send: typeof fetch): typeof fetch {
  return (input, init) =>
    send(input, init).catch((error: unknown) => {
      if (error instanceof Error) error.message += ` (${init?.method ?? 'GET'} ${new URL(String(input)).pathname})`;
      throw error;
    });
}

/** Ids come from the seeded source, as the harness asks. */
const newId = (random: () => number) => Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');

/** PouchDB keeps its own async I/O (leveldb) and real time: it runs only with `transport: http`. */
const configured = ({ syncIntervalMs, debounceMs, batchSize }: Pick<ClientSettings, 'syncIntervalMs' | 'debounceMs' | 'batchSize'>): ClientDefinition =>
  defineClient({ factory: (env) => new PouchClient(env, { syncIntervalMs, debounceMs, batchSize }), realTime: true });

export default defineClient({ ...configured({ syncIntervalMs: 5_000, debounceMs: 1_000, batchSize: 50 }), configure: configured });
