// automerge-repo's storage over the device's `env.db`, as its IndexedDB and Node-fs adapters keep
// chunks under string-array keys: each save is one SQLite statement, so a kill can strike between
// two of them, and a killed process's storage calls never settle, as a dead process's I/O never does.
import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo';
import type { DeviceEnv } from '../../src/adapter.ts';

/** Joins a key's parts (base58 document ids, chunk kinds, hex hashes: none holds a slash); a prefix of parts is then a prefix of the joined key. */
const SEPARATOR = '/';

export class SqliteStorageAdapter implements StorageAdapterInterface {
  constructor(private readonly db: DeviceEnv['db']) {
    db.exec('CREATE TABLE IF NOT EXISTS automerge_chunks (key TEXT PRIMARY KEY, data BLOB NOT NULL)');
  }

  load(key: StorageKey): Promise<Uint8Array | undefined> {
    return this.io(() => {
      const row = this.db.prepare('SELECT data FROM automerge_chunks WHERE key = ?').get(joined(key)) as { data: Buffer } | undefined;
      return row && new Uint8Array(row.data);
    });
  }

  save(key: StorageKey, data: Uint8Array): Promise<void> {
    return this.io(() => void this.db.prepare('INSERT OR REPLACE INTO automerge_chunks (key, data) VALUES (?, ?)').run(joined(key), Buffer.from(data)));
  }

  remove(key: StorageKey): Promise<void> {
    return this.io(() => void this.db.prepare('DELETE FROM automerge_chunks WHERE key = ?').run(joined(key)));
  }

  loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    return this.io(() => {
      const rows = this.db.prepare('SELECT key, data FROM automerge_chunks WHERE substr(key, 1, ?) = ?').all(...prefixOf(keyPrefix)) as { key: string; data: Buffer }[];
      return rows.map((row) => ({ key: row.key.split(SEPARATOR), data: new Uint8Array(row.data) }));
    });
  }

  removeRange(keyPrefix: StorageKey): Promise<void> {
    return this.io(() => void this.db.prepare('DELETE FROM automerge_chunks WHERE substr(key, 1, ?) = ?').run(...prefixOf(keyPrefix)));
  }

  /**
   * Puts a document's first change in the store unless it holds the document already, as a chunk the repo
   * loads with the rest (an app shipping a seed document): a device then opens it offline on its first boot.
   */
  async seed(documentId: string, root: Uint8Array): Promise<void> {
    if ((await this.loadRange([documentId])).length === 0) await this.save([documentId, 'snapshot', 'root'], root);
  }

  /** Runs one storage call; once the process is dead (the fenced handle throws or is closed) the call never settles. */
  private io<T>(call: () => T): Promise<T> {
    if (!this.db.open) return new Promise(() => {});
    try {
      return Promise.resolve(call());
    } catch (error) {
      if ((error as Error).name === 'ProcessKilledError') return new Promise(() => {});
      return Promise.reject(error);
    }
  }
}

function joined(key: StorageKey): string {
  return key.join(SEPARATOR);
}

function prefixOf(keyPrefix: StorageKey): [number, string] {
  const prefix = keyPrefix.length === 0 ? '' : joined(keyPrefix) + SEPARATOR;
  return [prefix.length, prefix];
}
