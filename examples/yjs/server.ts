// The server side of the Yjs example: y-websocket's own server (@y/websocket-server's
// setupWSConnection, what its `y-websocket-server` binary runs) on node:http on 127.0.0.1. It keeps
// every update the shared doc applies in a SQLite file in its dataDir, as y-leveldb's persistence does,
// so a restart (server_restart) brings the doc back. Each change it applies to a record is a commit.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { docs, getYDoc, setupWSConnection } from '@y/websocket-server/utils';
import Database from 'better-sqlite3';
import { WebSocketServer } from 'ws';
import * as Y from 'yjs';
import { defineServer, type ServerAdapter, type ServerRecord } from '../../src/adapter.ts';
import { keptRecord, keptRecords, recordsOf, ROOM, toServerRecord } from './records.ts';

/**
 * Starts the server over what its dataDir holds: a restart is this again. The stored updates are applied
 * before any socket is served and before the commit feed is watched, and each new update (with the versions
 * it bumps) is stored in the update handler, synchronously, before the server sends anything on.
 */
const startYjsServer: ServerAdapter = async ({ dataDir, onCommit }) => {
  const db = new Database(join(dataDir, 'yjs-server.sqlite'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS updates (seq INTEGER PRIMARY KEY, data BLOB NOT NULL); CREATE TABLE IF NOT EXISTS versions (id TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  // the library keeps its docs in one map per Node process: each run's server gets a doc of its own
  const docName = `${basename(dataDir)}/${ROOM}`;
  const doc = getYDoc(docName);
  for (const { data } of db.prepare('SELECT data FROM updates ORDER BY seq').all() as { data: Buffer }[]) Y.applyUpdate(doc, new Uint8Array(data));
  const versions = new Map((db.prepare('SELECT id, version FROM versions').all() as { id: string; version: number }[]).map(({ id, version }) => [id, version]));
  const storeUpdate = db.prepare('INSERT INTO updates (data) VALUES (?)');
  const storeVersion = db.prepare('INSERT OR REPLACE INTO versions (id, version) VALUES (?, ?)');
  const records = recordsOf(doc);
  records.observeDeep((events) => {
    const changed = new Set<string>();
    for (const event of events) {
      if (event.target === records) for (const id of event.keys.keys()) changed.add(id);
      else changed.add(String(event.path[0]));
    }
    for (const id of changed) {
      const record = records.get(id);
      if (!record) continue;
      const version = (versions.get(id) ?? 0) + 1;
      versions.set(id, version);
      storeVersion.run(id, version);
      onCommit(toServerRecord(keptRecord(id, record), version));
    }
  });
  // Yjs emits `update` after the transaction's observers: an update is stored once the versions it bumped are
  const onUpdate = (update: Uint8Array) => void storeUpdate.run(Buffer.from(update));
  doc.on('update', onUpdate);
  const sockets = new WebSocketServer({ noServer: true });
  const server = createServer((_request, response) => response.writeHead(426).end('a y-websocket server: connect with a WebSocket'));
  server.on('upgrade', (request, socket, head) => {
    sockets.handleUpgrade(request, socket, head, (conn) => setupWSConnection(conn, request, { docName }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    records: async (): Promise<ServerRecord[]> => keptRecords(doc).map((kept) => toServerRecord(kept, versions.get(kept.id) ?? 1)),
    close: async () => {
      for (const conn of sockets.clients) conn.terminate();
      await stop(server);
      doc.off('update', onUpdate);
      docs.delete(docName);
      doc.destroy();
      db.close();
    },
  };
};

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export default defineServer({ start: startYjsServer, restart: startYjsServer });
