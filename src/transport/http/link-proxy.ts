// A device's loopback TCP proxy (in the spirit of toxiproxy) for engines that open connections of
// their own: every byte either way crosses the device's link as a message, so whatever the engine
// speaks over TCP (HTTP, WebSocket, raw) is refused, held, delayed or cut by the device's faults.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Direction, Network } from '../../sim/network.ts';
import type { Scheduler } from '../../sim/scheduler.ts';
import type { DeviceProxy } from '../transport.ts';

export interface LinkProxySettings {
  scheduler: Scheduler;
  network: Network;
  /** The name of this device's link to the server. */
  link: string;
  /** The real server, read when a connection crosses the link (a restarted server may listen elsewhere). */
  target: () => URL;
}


/**
 * Listens on 127.0.0.1 (an ephemeral port) and carries each connection to the server over the link:
 * - the connection itself is a message (`connect tcp`): a partitioned device's is reset at once, a held
 *   link holds it, and it reaches the server only after the link's latency;
 * - each chunk read from either end is a message (`tcp`), delivered in the order it was read, since a
 *   stream reorders and deduplicates what the wire does to its segments;
 * - a stream cannot lose bytes and carry on: a chunk the link loses (message loss, a partition, a
 *   lost-response cut) resets the connection at both ends, as a connection whose packets stop
 *   arriving ends; a partition that starts resets every open connection at once.
 */
/** `cut` is the boot's death: the port closes (a dead process's reconnects are refused) and every connection resets. */
export async function openLinkProxy(settings: LinkProxySettings): Promise<DeviceProxy> {
  const connections = new Set<ProxiedConnection>();
  const server = createServer({ pauseOnConnect: false }, (device) => {
    const connection = new ProxiedConnection(settings, device, (over) => connections.delete(over));
    if (!connection.over) connections.add(connection);
  });
  await listen(server);
  const unwatch = settings.network.watch(settings.link, (state) => {
    if (state === 'partitioned') for (const connection of [...connections]) connection.reset();
  });
  const port = (server.address() as { port: number }).port;
  let cut = false;
  return {
    url: `http://127.0.0.1:${port}${settings.target().pathname.replace(/\/$/, '')}`,
    cut: () => {
      if (cut) return;
      cut = true;
      unwatch();
      server.close();
      for (const connection of [...connections]) connection.reset();
    },
  };
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** One direction of a connection: what was read at one end, handed to the other in the order it was read. */
class Stream {
  private sent = 0;
  private delivered = 0;
  private readonly arrived = new Map<number, () => void>();

  constructor(
    private readonly settings: LinkProxySettings,
    private readonly direction: Direction,
    private readonly onLost: () => void,
  ) {}

  /** Puts the next piece of this stream on the link; `deliver` runs once it and everything before it arrived. */
  send(label: string, sizeBytes: number, deliver: () => void): void {
    const sequence = this.sent++;
    let arrived = false;
    this.settings.network.send(
      this.settings.link,
      this.direction,
      label,
      sizeBytes,
      () => {
        if (arrived) return;
        arrived = true;
        this.arrived.set(sequence, deliver);
        this.flush();
      },
      this.onLost,
    );
  }

  private flush(): void {
    for (let next = this.arrived.get(this.delivered); next; next = this.arrived.get(this.delivered)) {
      this.arrived.delete(this.delivered++);
      next();
    }
  }
}

/** A device's connection and its far end at the server, joined over the link. */
class ProxiedConnection {
  private upstream: Socket | undefined;
  private closed = false;
  private readonly toServer: Stream;
  private readonly toDevice: Stream;

  constructor(
    private readonly settings: LinkProxySettings,
    private readonly device: Socket,
    private readonly onClosed: (connection: ProxiedConnection) => void,
  ) {
    const { network, link } = settings;
    this.toServer = new Stream(settings, 'to-server', () => this.reset());
    this.toDevice = new Stream(settings, 'to-device', () => this.reset());
    device.on('error', () => this.reset());
    if (network.state(link) === 'partitioned') {
      network.refuse(link, 'to-server', 'connect tcp', 0);
      this.reset();
      return;
    }
    this.toServer.send('connect tcp', 0, () => this.dial());
    device.on('data', (chunk: Buffer) => this.carry(this.toServer, 'tcp', chunk.length, () => this.upstream?.write(chunk)));
    device.on('end', () => this.carry(this.toServer, 'fin tcp', 0, () => this.upstream?.end()));
    device.on('close', () => this.carry(this.toServer, 'close tcp', 0, () => this.finish()));
  }

  get over(): boolean {
    return this.closed;
  }

  /** The connection dies at both ends, abruptly (a reset), whatever was still on the wire. */
  reset(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClosed(this);
    this.device.resetAndDestroy();
    this.upstream?.resetAndDestroy();
  }

  /** The connect reached the server's side: the real connection to the server opens now. */
  private dial(): void {
    if (this.closed) return;
    const target = this.settings.target();
    const upstream = connect({ host: target.hostname, port: Number(target.port) });
    this.upstream = upstream;
    upstream.on('data', (chunk: Buffer) => this.carry(this.toDevice, 'tcp', chunk.length, () => this.device.write(chunk)));
    upstream.on('end', () => this.carry(this.toDevice, 'fin tcp', 0, () => this.device.end()));
    upstream.on('error', () => this.carry(this.toDevice, 'reset tcp', 0, () => this.reset()));
    upstream.on('close', () => this.carry(this.toDevice, 'close tcp', 0, () => this.finish()));
  }

  /** What one end did crosses to the other, unless the connection is over (ended ends send nothing more). */
  private carry(stream: Stream, label: string, sizeBytes: number, deliver: () => void): void {
    if (this.closed) return;
    stream.send(label, sizeBytes, () => !this.closed && deliver());
  }

  /** One end closed: the other end closes too, once what it sent before has crossed. */
  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClosed(this);
    this.device.destroy();
    this.upstream?.destroy();
  }
}
