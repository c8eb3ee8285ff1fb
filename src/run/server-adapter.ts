// A server under test that the run starts from a module (`system.server: { adapter: ./server.ts }`):
// a sync system of another protocol (CouchDB's, say) that no protocol-v1 pull can read. The module
// serves it on 127.0.0.1, reports each version it commits as it sees them, and hands over its records.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverDefinitionOf, type RunningServer, type ServerDefinition, type ServerModule, type ServerRecord } from '../adapter.ts';
import type { History } from '../history/history.ts';
import { SystemUnderTestError } from '../errors.ts';
import { defaultExportOf } from './module-loader.ts';

/** A server the run started from a module: where it is now, and, when the module declares `restart`, how to take it down and bring it back. */
export interface AdapterServer extends RunningServer {
  /** Closes the running process (server_restart's start); present when the module declares `restart`. */
  stop?(): Promise<void>;
  /** A new process over the same data folder, perhaps at another URL (server_restart's end). */
  restart?(): Promise<void>;
}

/** The server module at `path`, as its default export declares it. */
export async function loadServerAdapter(path: string): Promise<ServerDefinition> {
  const fits = (value: unknown) => typeof value === 'function' || (typeof value === 'object' && value !== null && typeof (value as { start?: unknown }).start === 'function');
  const exported = (await defaultExportOf(path, 'server', 'a function (context) => Promise<{ url, records, close }>, or defineServer({ start, restart })', fits)) as ServerModule;
  return serverDefinitionOf(exported);
}

/** Starts the server module at `path`, as `definition` declares it; its commits go into `history` at the run's time `nowMs()`. */
export async function startServerAdapter(path: string, definition: ServerDefinition, history: History, nowMs: () => number): Promise<AdapterServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sync-chaos-server-'));
  const context = { dataDir, onCommit: (record: ServerRecord) => history.append({ t: nowMs(), type: 'commit', process: 'server', changeId: '', ...record }) };
  const started = async (start: ServerDefinition['start'], what: string) => {
    try {
      return await start(context);
    } catch (error) {
      throw new SystemUnderTestError(`server module ${path} failed to ${what}`, error);
    }
  };
  let running: RunningServer | undefined;
  try {
    running = await started(definition.start, 'start');
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const { restart } = definition;
  const current = () => {
    if (!running) throw new SystemUnderTestError(`server module ${path} is down (restarting)`);
    return running;
  };
  return {
    get url() {
      return current().url;
    },
    records: () => current().records(),
    close: async () => {
      await running?.close();
      running = undefined;
      rmSync(dataDir, { recursive: true, force: true });
    },
    ...(restart && {
      stop: async () => {
        const closing = running;
        running = undefined;
        await closing?.close();
      },
      restart: async () => {
        running = await started(restart, 'restart');
      },
    }),
  };
}
