// One device's WebSocket carried over its link, whatever is at the far end (mock-socket in
// simulation, a real `ws` socket over HTTP): the upgrade, each frame and the close are messages on
// the link, so latency, loss and holds apply to them; a partition drops the socket and refuses new
// ones, as airplane mode does; a killed app's socket is cut without a word to the dead process.
import type { DeviceSocket } from '../adapter.ts';
import type { Network } from '../sim/network.ts';
import type { Scheduler } from '../sim/scheduler.ts';

/** What the far end reports about the socket it holds for the device. */
export interface WireEvents {
  opened(): void;
  message(text: string): void;
  closed(code: number, reason: string): void;
}

/** The far end of a device's socket, at the server. */
export interface Wire {
  send(text: string): void;
  close(): void;
}

/** Opens the far end of a device's socket to `path` on the server. */
export type WireConnector = (path: string, events: WireEvents) => Wire;

export interface LinkSocketSettings {
  scheduler: Scheduler;
  network: Network;
  /** The name of this device's link to the server. */
  link: string;
  connect: WireConnector;
  /** Runs an event handler as the device's process can: never after its death, on resume while suspended. */
  hear: (handler: () => void) => void;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
/** The close code of a connection that ended without a close frame (RFC 6455 §7.4.1). */
export const CLOSE_ABNORMAL = 1006;
const CLOSE_NORMAL = 1000;

export class LinkSocket implements DeviceSocket {
  readyState: DeviceSocket['readyState'] = CONNECTING;
  onopen: DeviceSocket['onopen'] = null;
  onmessage: DeviceSocket['onmessage'] = null;
  onerror: DeviceSocket['onerror'] = null;
  onclose: DeviceSocket['onclose'] = null;
  private wire: Wire | undefined;
  private readonly unwatch: () => void;
  /** The path without its query: what the history's message labels show. */
  private readonly route: string;

  constructor(
    private readonly settings: LinkSocketSettings,
    path: string,
  ) {
    const { scheduler, network, link } = settings;
    const route = path.split('?')[0] ?? path;
    this.route = route;
    if (network.state(link) === 'partitioned') {
      this.unwatch = () => {};
      scheduler.after(0, () => this.drop('network unreachable'));
      return;
    }
    this.unwatch = network.watch(link, (state) => state === 'partitioned' && this.drop('the network went down'));
    network.send(link, 'to-server', `GET ${route} upgrade`, 0, () => {
      if (this.readyState !== CONNECTING || this.wire) return;
      this.wire = settings.connect(path, {
        opened: () => this.toDevice(`101 ${route}`, 0, () => this.opened()),
        message: (text) => this.toDevice(`frame ${route}`, Buffer.byteLength(text), () => this.received(text)),
        closed: (code, reason) => this.toDevice(`close ${route}`, 0, () => this.finish(code, reason)),
      });
    });
  }

  send(data: string): void {
    if (this.readyState === CONNECTING) throw new Error("Failed to execute 'send' on 'WebSocket': Still in CONNECTING state");
    if (this.readyState !== OPEN) return;
    const { network, link } = this.settings;
    network.send(link, 'to-server', `frame ${this.route}`, Buffer.byteLength(data), () => this.wire?.send(data));
  }

  /** Closes at once on the device; the server hears of it when the close crosses the link. */
  close(): void {
    if (this.readyState === CLOSING || this.readyState === CLOSED) return;
    const { network, link, scheduler } = this.settings;
    this.readyState = CLOSING;
    network.send(link, 'to-server', `close ${this.route}`, 0, () => this.wire?.close());
    scheduler.after(0, () => this.finish(CLOSE_NORMAL, ''));
  }

  /** The app died: the far end is closed, as the OS closes a dead process's sockets, and nothing reaches the app. */
  cut(): void {
    this.unwatch();
    this.readyState = CLOSED;
    this.wire?.close();
  }

  private toDevice(label: string, sizeBytes: number, deliver: () => void): void {
    this.settings.network.send(this.settings.link, 'to-device', label, sizeBytes, deliver);
  }

  private opened(): void {
    if (this.readyState !== CONNECTING) return;
    this.readyState = OPEN;
    this.settings.hear(() => this.onopen?.({ type: 'open' }));
  }

  private received(data: string): void {
    if (this.readyState === OPEN) this.settings.hear(() => this.onmessage?.({ type: 'message', data }));
  }

  /** The link went down (or was down at the start): the device hears an error and an abnormal close. */
  private drop(reason: string): void {
    this.wire?.close();
    if (this.readyState === CLOSED) return;
    this.settings.scheduler.after(0, () => {
      if (this.readyState === CLOSED) return;
      this.settings.hear(() => this.onerror?.({ type: 'error' }));
      this.finish(CLOSE_ABNORMAL, reason);
    });
  }

  private finish(code: number, reason: string): void {
    if (this.readyState === CLOSED) return;
    this.unwatch();
    this.readyState = CLOSED;
    this.wire?.close();
    this.settings.hear(() => this.onclose?.({ type: 'close', code, reason, wasClean: code === CLOSE_NORMAL }));
  }
}
