// Push pokes: the devices holding a socket open to the server hear, after another device's push
// commits, that there is something new to pull. The hub knows a connection only by the send
// function its transport hands over (mock-socket in simulation, `ws` over HTTP).
import type { Poke } from './v1.ts';

interface Connection {
  /** The device the socket belongs to; unknown when the server is open and the client named none. */
  deviceId: string | undefined;
  send: (text: string) => void;
}

export class PokeHub {
  private readonly connections = new Set<Connection>();

  /** A socket was accepted; returns its leave, for when it closes. */
  join(deviceId: string | undefined, send: (text: string) => void): () => void {
    const connection = { deviceId, send };
    this.connections.add(connection);
    return () => void this.connections.delete(connection);
  }

  /** Pokes every connected device except the one whose push committed, in the order they connected. */
  poke(fromDeviceId: string, cursor: number): void {
    const text = JSON.stringify({ type: 'poke', cursor } satisfies Poke);
    for (const connection of [...this.connections]) {
      if (connection.deviceId !== fromDeviceId) connection.send(text);
    }
  }
}
