// The server side of the Yjs example: y-websocket's own server (@y/websocket-server's
// setupWSConnection, what its `y-websocket-server` binary runs) on node:http on 127.0.0.1, holding
// the shared doc in memory. Each change it applies to a record is a commit; its records are the doc's.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { docs, getYDoc, setupWSConnection } from '@y/websocket-server/utils';
import { WebSocketServer } from 'ws';
import type { ServerAdapter, ServerRecord } from '../../src/adapter.ts';
import { keptRecord, keptRecords, recordsOf, ROOM, toServerRecord } from './records.ts';

const startYjsServer: ServerAdapter = async ({ dataDir, onCommit }) => {
  // the library keeps its docs in one map per Node process: each run's server gets a doc of its own
  const docName = `${basename(dataDir)}/${ROOM}`;
  const doc = getYDoc(docName);
  const records = recordsOf(doc);
  const versions = new Map<string, number>();
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
      onCommit(toServerRecord(keptRecord(id, record), version));
    }
  });
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
      docs.delete(docName);
      doc.destroy();
    },
  };
};

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export default startYjsServer;
