// The server side of the PouchDB example: express-pouchdb (CouchDB's replication protocol, as
// PouchDB Server speaks it) in this process on 127.0.0.1, one database kept under the run's server
// folder. Its change feed reports each winning revision as a commit; its records are the winners.
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { ServerRecord } from '../../src/adapter.ts';
import type { ServerAdapter } from '../../src/adapter.ts';
import { DATABASE, PouchDB, toServerRecord, type PouchDoc } from './pouch.ts';

const require = createRequire(import.meta.url);
const expressPouchDB = require('express-pouchdb') as (pouch: unknown, options: { mode: string }) => (request: unknown, response: unknown) => void;

const startPouchServer: ServerAdapter = async ({ dataDir, onCommit }) => {
  const ServerPouch = PouchDB.defaults({ prefix: `${dataDir}/` });
  const server = createServer(expressPouchDB(ServerPouch, { mode: 'minimumForPouchDB' }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // created through the server, as an admin would, so that express-pouchdb lists it among its databases
  const created = await fetch(`${url}/${DATABASE}`, { method: 'PUT' });
  if (!created.ok) throw new Error(`PUT /${DATABASE} answered ${created.status}: ${await created.text()}`);
  const db = new ServerPouch(DATABASE);
  const feed = db.changes({ since: 'now', live: true, include_docs: true });
  feed.on('change', (change: { doc?: PouchDoc }) => {
    if (change.doc) onCommit(toServerRecord(change.doc));
  });
  return {
    url,
    records: async (): Promise<ServerRecord[]> => {
      const { results } = await db.changes({ since: 0, include_docs: true });
      return results.flatMap((change) => (change.doc ? [toServerRecord(change.doc)] : []));
    },
    close: async () => {
      feed.cancel();
      await stop(server);
      await db.close();
    },
  };
};

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export default startPouchServer;
