// The devices' sockets in simulation: mock-socket's in-process WebSocket, its Server at a URL of
// this run's own, accepting each device's socket into the poke hub. mock-socket delays its events
// with global timers, so a run with sockets makes the globals virtual (sim/virtual-globals.ts).
import { Server, WebSocket } from 'mock-socket';
import type { PokeHub } from '../../protocol/pokes.ts';
import { POKES_PATH } from '../../protocol/v1.ts';
import type { WireConnector } from '../link-socket.ts';

/** The server ends of a run's sockets, and their teardown. */
export interface SocketEnds {
  /** Where one device's sockets connect. */
  connector(deviceId: string): WireConnector;
  close(): void;
}

/** mock-socket's registry of servers is global to the thread: each run listens at a host of its own. */
let serversMade = 0;

export function mockSocketEnds(pokes: PokeHub): SocketEnds {
  const origin = `ws://sync-server-${++serversMade}.sim`;
  const server = new Server(origin + POKES_PATH, { mock: false });
  server.on('connection', (socket) => {
    const leave = pokes.join(new URL(socket.url).searchParams.get('device') ?? undefined, (text) => socket.send(text));
    socket.on('close', leave);
  });
  return {
    connector: () => (path, events) => {
      const socket = new WebSocket(origin + path);
      socket.onopen = () => events.opened();
      socket.onmessage = (event) => events.message(String(event.data));
      socket.onclose = (event) => events.closed(event.code, event.reason);
      return { send: (text) => socket.send(text), close: () => socket.close() };
    },
    close: () => server.stop(),
  };
}
