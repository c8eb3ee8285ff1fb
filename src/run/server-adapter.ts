// A server under test that the run starts from a module (`system.server: { adapter: ./server.ts }`):
// a sync system of another protocol (CouchDB's, say) that no protocol-v1 pull can read. The module
// serves it on 127.0.0.1, reports each version it commits as it sees them, and hands over its records.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerRecord } from '../adapter.ts';
import type { History } from '../history/history.ts';
import { SystemUnderTestError } from './errors.ts';
import { defaultExportOf } from './module-loader.ts';

export interface ServerAdapterContext {
  /** A folder of the server's own for its storage, removed when the run ends. */
  dataDir: string;
  /** Called with a record's version once the server holds it (as its own change feed tells, a moment later). */
  onCommit(record: ServerRecord): void;
}

export interface RunningServer {
  /** Where devices reach it (`http://127.0.0.1:PORT`); a device's request path is appended to its path. */
  url: string;
  /** Every record, tombstones included, `version` counting the record's revisions. */
  records(): Promise<ServerRecord[]>;
  close(): Promise<void>;
}

/** A server module's default export. */
export type ServerAdapter = (context: ServerAdapterContext) => Promise<RunningServer>;

/** Starts the server module at `path`; its commits go into `history` at the run's time `nowMs()`. */
export async function startServerAdapter(path: string, history: History, nowMs: () => number): Promise<RunningServer> {
  const start = (await defaultExportOf(path, 'server', 'a function (context) => Promise<{ url, records, close }>')) as ServerAdapter;
  const dataDir = mkdtempSync(join(tmpdir(), 'sync-chaos-server-'));
  const onCommit = (record: ServerRecord) => history.append({ t: nowMs(), type: 'commit', process: 'server', changeId: '', ...record });
  let running: RunningServer;
  try {
    running = await start({ dataDir, onCommit });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw new SystemUnderTestError(`server module ${path} failed to start`, error);
  }
  return {
    url: running.url,
    records: () => running.records(),
    close: async () => {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
