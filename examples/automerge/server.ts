// The server side of the Automerge example: what automerge-repo-sync-server runs (a Repo that shares
// every document, on the WebSocket network adapter's server end, over storage in its data folder) on
// node:http on 127.0.0.1. Each change it takes into the shared document is a commit.
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAutomergeUrl, Repo, type PeerId } from '@automerge/automerge-repo';
import { WebSocketServerAdapter } from '@automerge/automerge-repo-network-websocket';
import Database from 'better-sqlite3';
import { WebSocketServer } from 'ws';
import { defineServer, type ServerAdapter, type ServerRecord } from '../../src/adapter.ts';
import { NOTEBOOK_URL, notebookRoot, serverRecords, toServerRecord, type Notebook } from './records.ts';
import { SqliteStorageAdapter } from './sqlite-storage.ts';

/**
 * Starts the server's repo over the chunks its dataDir holds (as the sync server keeps them in its data
 * folder): a restart is this again. The repo saves a document's chunks a moment after each change (its
 * save debounce), and its shutdown flushes them, so a restart, which closes the server first, keeps all.
 * The versions counted so far are kept beside the chunks.
 */
const startAutomergeServer: ServerAdapter = async ({ dataDir, onCommit }) => {
  const db = new Database(join(dataDir, 'automerge-server.sqlite'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS versions (id TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  const storage = new SqliteStorageAdapter(db);
  await storage.seed(parseAutomergeUrl(NOTEBOOK_URL).documentId, notebookRoot());
  const server = createServer((_request, response) => response.writeHead(426).end('an automerge-repo sync server: connect with a WebSocket'));
  const sockets = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => sockets.handleUpgrade(request, socket, head, (conn) => sockets.emit('connection', conn, request)));
  // isomorphic-ws types the same ws server by another path
  const network = new WebSocketServerAdapter(sockets as unknown as ConstructorParameters<typeof WebSocketServerAdapter>[0]);
  const repo = new Repo({ storage, network: [network], peerId: 'sync-server' as PeerId, sharePolicy: async () => true });
  const handle = await repo.find<Notebook>(NOTEBOOK_URL);
  const versions = new Map((db.prepare('SELECT id, version FROM versions').all() as { id: string; version: number }[]).map(({ id, version }) => [id, version]));
  const storeVersion = db.prepare('INSERT OR REPLACE INTO versions (id, version) VALUES (?, ?)');
  handle.on('change', ({ patches, doc }) => {
    const changed = new Set(patches.flatMap((patch) => (patch.path[0] === 'records' && patch.path[1] !== undefined ? [String(patch.path[1])] : [])));
    for (const id of changed) {
      const kept = doc.records[id];
      if (!kept) continue;
      const version = (versions.get(id) ?? 0) + 1;
      versions.set(id, version);
      storeVersion.run(id, version);
      onCommit(toServerRecord(id, kept, version));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    records: async (): Promise<ServerRecord[]> => serverRecords(handle.doc(), versions),
    close: async () => {
      for (const conn of sockets.clients) conn.terminate();
      sockets.close();
      await stop(server);
      await repo.shutdown();
      db.close();
    },
  };
};

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export default defineServer({ start: startAutomergeServer, restart: startAutomergeServer });
