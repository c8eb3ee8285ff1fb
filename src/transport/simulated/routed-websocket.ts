// The WebSockets a library opens itself, carried over the device's link in a simulated run with virtual
// globals: the global `WebSocket` and the `ws` package's client, constructed by code running on a device,
// become that device's link socket (as `env.openSocket` gives), with both the browser's API and ws's.
// Outside such a run the `ws` client is the real one. Text frames only, as on every link socket.
import { EventEmitter } from 'node:events';
import { createRequire, register } from 'node:module';
import { dirname, join } from 'node:path';
import type { DeviceSocket } from '../../adapter.ts';

/** Opens a device's link socket for `url`, as the code constructing it runs on that device. */
export type SocketRouter = (url: string) => DeviceSocket;

let router: SocketRouter | undefined;
/** Whether routeWsPackage has run on this thread, whose module cache it changed. */
let wsRouted = false;

type Listener = (event: { type: string; [key: string]: unknown }) => void;

/** A link socket with the standard WebSocket API and the `ws` package's EventEmitter one. */
export class RoutedWebSocket extends EventEmitter {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;
  readonly url: string;
  readonly protocol = '';
  readonly extensions = '';
  readonly bufferedAmount = 0;
  binaryType = 'nodebuffer';
  onopen: Listener | null = null;
  onmessage: Listener | null = null;
  onerror: Listener | null = null;
  onclose: Listener | null = null;
  private readonly domListeners = new Map<string, Set<Listener>>();
  private readonly socket: DeviceSocket;

  constructor(url: string | URL) {
    super();
    if (!router) throw new Error('a routed WebSocket exists only in a simulated run with virtual globals');
    this.url = String(url);
    this.socket = router(this.url);
    this.socket.onopen = () => this.dispatch('open', {}, []);
    this.socket.onmessage = ({ data }) => this.dispatch('message', { data }, [Buffer.from(data), false]);
    this.socket.onerror = () => this.dispatch('error', { message: 'the network dropped the socket' }, [new Error(`WebSocket to ${this.url} failed: the network dropped it`)]);
    this.socket.onclose = ({ code, reason, wasClean }) => this.dispatch('close', { code, reason, wasClean }, [code, Buffer.from(reason)]);
  }

  get readyState(): DeviceSocket['readyState'] {
    return this.socket.readyState;
  }

  /** Sends a text frame; binary frames are not carried over the link. */
  send(data: unknown, callback?: (error?: Error) => void): void {
    if (typeof data !== 'string') throw new TypeError('a WebSocket over the simulated link carries text frames only: send a string');
    this.socket.send(data);
    callback?.();
  }

  close(): void {
    this.socket.close();
  }

  /** ws's abrupt close; over the link it closes as `close()` does. */
  terminate(): void {
    this.socket.close();
  }

  ping(): void {}

  pong(): void {}

  addEventListener(type: string, listener: Listener): void {
    let set = this.domListeners.get(type);
    if (!set) this.domListeners.set(type, (set = new Set()));
    set.add(listener);
  }

  removeEventListener(type: string, listener: Listener): void {
    this.domListeners.get(type)?.delete(listener);
  }

  /** Tells the browser-style handlers (`onX`, `addEventListener`) and the ws-style ones (`on('x')`); an `error` nobody listens to is not thrown. */
  private dispatch(type: 'open' | 'message' | 'error' | 'close', fields: Record<string, unknown>, args: unknown[]): void {
    const event = { type, target: this, ...fields };
    this[`on${type}`]?.(event);
    for (const listener of [...(this.domListeners.get(type) ?? [])]) listener(event);
    if (type !== 'error' || this.listenerCount('error') > 0) this.emit(type, ...args);
  }
}

/**
 * Routes the global WebSocket and ws's client through `route` until the returned restore is called.
 * One run per thread at a time, as the virtual globals it goes with.
 */
export function routeWebSockets(route: SocketRouter): () => void {
  const slots = globalThis as Record<string, unknown>;
  const hadGlobal = Object.hasOwn(globalThis, 'WebSocket');
  const previous = slots.WebSocket;
  router = route;
  slots.WebSocket = RoutedWebSocket;
  return () => {
    router = undefined;
    if (hadGlobal) slots.WebSocket = previous;
    else delete slots.WebSocket;
  };
}

/**
 * Makes ws's client class, as every importer of `ws` gets it from now on, the routed one: `require` through the
 * module cache, `import` through a resolution hook (ws-resolve-hook.mjs). The module loader calls this before it
 * loads any user module (a client, a server adapter, a project config), the only code that may import ws; a run
 * of the built-in reference client never does, so it pays for no resolution hook (the hook runs on a loader
 * thread of its own, and every later import waits on it). The class is the real one, except that constructing
 * it while a router is installed makes a routed socket instead. A library that bundles its own copy of ws, or
 * requires another copy, is not reached.
 */
export function routeWsPackage(): void {
  if (wsRouted) return;
  wsRouted = true;
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve('ws')), 'lib', 'websocket.js');
  const real = require(file) as new (...args: unknown[]) => object;
  const routed = new Proxy(real, {
    construct: (target, args, newTarget) => (router ? new RoutedWebSocket(args[0] as string) : Reflect.construct(target, args, newTarget)),
  });
  for (const path of [file, require.resolve('ws')]) {
    const cached = require.cache[path];
    if (cached && cached.exports === real) cached.exports = routed;
  }
  register(new URL('./ws-resolve-hook.mjs', import.meta.url));
}
