// An undici interceptor that carries one device's real HTTP exchanges over its simulated link, so
// the scenario's faults act on real sockets: a partitioned link refuses the connection before the
// server sees anything (the history keeps the attempt, as `refused`); the request waits out its
// drawn latency (or is lost, held, duplicated); the answer, read in full from the server, crosses
// back as two messages, headers then body, so a response can be lost after the server did the
// work, and a body can lag behind its headers.
import type { Dispatcher } from 'undici';
import type { Network } from '../../sim/network.ts';
import type { Scheduler } from '../../sim/scheduler.ts';

type Handler = Dispatcher.DispatchHandler;
type Controller = Dispatcher.DispatchController;
type ResponseHeaders = Parameters<NonNullable<Handler['onResponseStart']>>[2];

export interface LinkSettings {
  scheduler: Scheduler;
  network: Network;
  /** The name of this device's link to the server. */
  link: string;
}

/** A connection-level failure as the device's socket reports it (`code` as node's net errors carry it). */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
  constructor(
    message: string,
    readonly code: 'ECONNREFUSED' | 'ECONNRESET',
  ) {
    super(message);
  }
}

export function linkInterceptor(settings: LinkSettings): Dispatcher.DispatcherComposeInterceptor {
  const { scheduler, network, link } = settings;
  return (dispatch) => (options, handler) => {
    const path = (options.path ?? '/').split('?')[0] ?? '/';
    const exchange = new Exchange(settings, path, handler);
    const size = typeof options.body === 'string' ? Buffer.byteLength(options.body) : 0;
    if (network.state(link) === 'partitioned') {
      network.refuse(link, 'to-server', `${options.method} ${path}`, size);
      scheduler.after(0, () => exchange.fail(new ConnectionError('connect ECONNREFUSED: the device is offline', 'ECONNREFUSED')));
      return true;
    }
    let sent = false;
    network.send(link, 'to-server', `${options.method} ${path}`, size, () => {
      if (sent) return void dispatch(options, DISCARD);
      sent = true;
      dispatch(options, exchange.serverSide());
    });
    return true;
  };
}

/** Where a duplicate's answer goes: the server sees the request twice, the device hears one answer. */
const DISCARD: Handler = {};

/** One request and its answer: what the device's handler has been told, and what is still on the wire. */
class Exchange {
  private readonly controller: WireController;
  private settled = false;
  private headersArrived = false;
  private bodyArrived = false;
  private response: { statusCode: number; headers: ResponseHeaders; statusMessage?: string; body: Buffer[]; trailers: ResponseHeaders } | undefined;

  constructor(
    private readonly settings: LinkSettings,
    private readonly path: string,
    private readonly device: Handler,
  ) {
    this.controller = new WireController((reason) => this.fail(reason));
    device.onRequestStart?.(this.controller, {});
  }

  /** The device hears a connection failure now. */
  fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.device.onResponseError?.(this.controller, error);
  }

  /** The handler the real dispatch reports to: it keeps the server's answer until the link delivers it. */
  serverSide(): Handler {
    const body: Buffer[] = [];
    let start: { statusCode: number; headers: ResponseHeaders; statusMessage?: string } | undefined;
    return {
      onRequestStart: (inner) => this.controller.attach(inner),
      onResponseStart: (_inner, statusCode, headers, statusMessage) => {
        start = { statusCode, headers, ...(statusMessage !== undefined && { statusMessage }) };
      },
      onResponseData: (_inner, chunk) => void body.push(chunk),
      onResponseEnd: (_inner, trailers) => {
        if (!start) return this.sendBack('reset', () => this.fail(new ConnectionError('the server ended the exchange without an answer', 'ECONNRESET')));
        this.response = { ...start, body, trailers };
        const size = body.reduce((sum, chunk) => sum + chunk.length, 0);
        this.sendBack(String(start.statusCode), () => this.arrive('headers'));
        this.sendBack('body', () => this.arrive('body'), size);
      },
      onResponseError: (_inner, error) => this.sendBack('reset', () => this.fail(error)),
    };
  }

  private sendBack(label: string, deliver: () => void, sizeBytes = 0): void {
    let delivered = false;
    this.settings.network.send(this.settings.link, 'to-device', `${label} ${this.path}`, sizeBytes, () => {
      if (delivered) return;
      delivered = true;
      deliver();
    });
  }

  /** ResponseHeaders reach the device first; a body that overtook them waits for them. */
  private arrive(part: 'headers' | 'body'): void {
    if (part === 'headers') this.headersArrived = true;
    else this.bodyArrived = true;
    const response = this.response;
    if (this.settled || !response || !this.headersArrived) return;
    if (part === 'headers') this.device.onResponseStart?.(this.controller, response.statusCode, response.headers, response.statusMessage);
    if (!this.bodyArrived) return;
    this.settled = true;
    for (const chunk of response.body) this.device.onResponseData?.(this.controller, chunk);
    this.device.onResponseEnd?.(this.controller, response.trailers);
  }
}

/** The device's view of its request: aborting it (a timeout) cuts the real one too, if it is still running. */
class WireController implements Controller {
  private inner: Controller | undefined;
  private abortReason: Error | null = null;

  constructor(private readonly onAbort: (reason: Error) => void) {}

  attach(inner: Controller): void {
    this.inner = inner;
    if (this.abortReason) inner.abort(this.abortReason);
  }

  get aborted(): boolean {
    return this.abortReason !== null;
  }

  get paused(): boolean {
    return false;
  }

  get reason(): Error | null {
    return this.abortReason;
  }

  abort(reason: Error): void {
    if (this.abortReason) return;
    this.abortReason = reason;
    this.inner?.abort(reason);
    this.onAbort(reason);
  }

  /** The body is already read in full: there is nothing to pause. */
  pause(): void {}

  resume(): void {}
}
