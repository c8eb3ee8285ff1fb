// The server side of the Automerge example: what automerge-repo-sync-server runs (a Repo that shares
// every document, on the WebSocket network adapter's server end) on node:http on 127.0.0.1, in
// memory. Each change it takes into the shared document is a commit; its records are the document's.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAutomergeUrl, Repo, type PeerId } from '@automerge/automerge-repo';
import { WebSocketServerAdapter } from '@automerge/automerge-repo-network-websocket';
import { WebSocketServer } from 'ws';
import type { ServerAdapter, ServerRecord } from '../../src/adapter.ts';
import { NOTEBOOK_URL, notebookRoot, serverRecords, toServerRecord, type Notebook } from './records.ts';

const startAutomergeServer: ServerAdapter = async ({ onCommit }) => {
  const server = createServer((_request, response) => response.writeHead(426).end('an automerge-repo sync server: connect with a WebSocket'));
  const sockets = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => sockets.handleUpgrade(request, socket, head, (conn) => sockets.emit('connection', conn, request)));
  // isomorphic-ws types the same ws server by another path
  const network = new WebSocketServerAdapter(sockets as unknown as ConstructorParameters<typeof WebSocketServerAdapter>[0]);
  const repo = new Repo({ network: [network], peerId: 'sync-server' as PeerId, sharePolicy: async () => true });
  const handle = repo.import<Notebook>(notebookRoot(), { docId: parseAutomergeUrl(NOTEBOOK_URL).documentId });
  await handle.whenReady();
  const versions = new Map<string, number>();
  handle.on('change', ({ patches, doc }) => {
    const changed = new Set(patches.flatMap((patch) => (patch.path[0] === 'records' && patch.path[1] !== undefined ? [String(patch.path[1])] : [])));
    for (const id of changed) {
      const kept = doc.records[id];
      if (!kept) continue;
      const version = (versions.get(id) ?? 0) + 1;
      versions.set(id, version);
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
    },
  };
};

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export default startAutomergeServer;
