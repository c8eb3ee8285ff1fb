// A server under test that the run starts from a module (`system.server: { adapter: ./server.ts }`):
// a sync system of another protocol (CouchDB's, say) that no protocol-v1 pull can read. The module
// serves it on 127.0.0.1, reports each version it commits as it sees them, and hands over its records.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningServer, ServerAdapter, ServerRecord } from '../adapter.ts';
import type { History } from '../history/history.ts';
import { SystemUnderTestError } from '../errors.ts';
import { defaultExportOf } from './module-loader.ts';

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
