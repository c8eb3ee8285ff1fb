// Push pokes over real sockets, the server's end: the `ws` WebSocketServer behind the node:http
// server's upgrade, with the same token gate as fetch (a missing or wrong bearer token is refused
// 401, a device naming another 403); accepted sockets join the poke hub.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { PokeHub } from '../protocol/pokes.ts';
import { POKES_PATH } from '../protocol/v1.ts';

/** Who an upgrade request acts as, by its token (no device when the server is open), or why it is refused. */
export type UpgradeIdentity = { ok: true; deviceId?: string } | { ok: false; reason: string };

export interface PokeServer {
  /** Answers one upgrade request of the node:http server. */
  upgrade(request: IncomingMessage, url: URL | undefined, socket: Duplex, head: Buffer): void;
  /** Closes every socket: `going away` (1001) on a graceful close, cut at once otherwise. */
  close(graceful: boolean): void;
}

const CLOSE_GOING_AWAY = 1001;

export function pokeServer(pokes: PokeHub, authenticate: (authorization: string | undefined) => UpgradeIdentity): PokeServer {
  const sockets = new WebSocketServer({ noServer: true });
  return {
    upgrade: (request, url, socket, head) => {
      if (!url || url.pathname !== POKES_PATH) return refuse(socket, 404, `no WebSocket endpoint at ${url?.pathname ?? String(request.url)}`);
      const identity = authenticate(request.headers.authorization);
      if (!identity.ok) return refuse(socket, 401, identity.reason);
      const named = url.searchParams.get('device') ?? undefined;
      if (identity.deviceId !== undefined && named !== undefined && named !== identity.deviceId) return refuse(socket, 403, 'a device cannot act as another');
      sockets.handleUpgrade(request, socket, head, (ws) => {
        const leave = pokes.join(identity.deviceId ?? named, (text) => ws.send(text));
        ws.on('close', leave);
        ws.on('error', () => ws.terminate());
      });
    },
    close: (graceful) => {
      for (const ws of sockets.clients) {
        if (graceful) ws.close(CLOSE_GOING_AWAY, 'server shutting down');
        else ws.terminate();
      }
    },
  };
}

/** An upgrade the server will not make, answered in plain HTTP before the connection is closed. */
function refuse(socket: Duplex, status: 401 | 403 | 404, reason: string): void {
  answerRaw(socket, status, reason, status === 401 ? { 'www-authenticate': 'Bearer' } : {});
}

/** A JSON error answer written straight onto a socket that node:http no longer answers on (an upgrade, a request it could not parse), then closed. */
export function answerRaw(socket: Duplex, status: number, reason: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ error: reason });
  const lines = Object.entries({ ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), connection: 'close' }).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${lines.join('')}\r\n${body}`);
}
