// Push pokes over real sockets, the device's end: each device's `ws` client socket, aimed at the real
// server whatever host it names, with the device's bearer token (src/serve/poke-sockets.ts is the far end).
import { WebSocket } from 'ws';
import type { WireConnector } from '../link-socket.ts';

/** One device's real sockets to the server at `base()`, with its bearer token; `closeAll` cuts every one still open. */
export function wsConnector(base: () => URL, token: string | undefined): { connect: WireConnector; closeAll(): void } {
  const open = new Set<WebSocket>();
  const connect: WireConnector = (path, events) => {
    const url = new URL(base().pathname.replace(/\/$/, '') + path, base());
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
    open.add(ws);
    let failure = '';
    ws.on('open', () => events.opened());
    ws.on('message', (data) => events.message(data.toString()));
    ws.on('error', (error) => (failure = error.message));
    ws.on('close', (code, reason) => {
      open.delete(ws);
      events.closed(code, reason.toString() || failure);
    });
    return { send: (text) => ws.send(text), close: () => ws.terminate() };
  };
  return { connect, closeAll: () => open.forEach((ws) => ws.terminate()) };
}
