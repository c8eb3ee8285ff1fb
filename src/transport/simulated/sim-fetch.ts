// The Fetch API of one device, carried over the simulated network: the request and the
// response are separate messages with real JSON bodies, either can be dropped or held, and a
// request that gets no answer fails after the timeout, as a phone's does; a server that is down
// refuses the connection, which the device learns one trip later. A request made while the link is
// partitioned fails at once, and the history still records it as the device's attempt (`refused`).
import { ServerUnavailableError } from '../../errors.ts';
import { responseOf, type ExchangeServer } from '../../protocol/settled-exchange.ts';
import type { Network } from '../../sim/network.ts';
import type { Scheduler } from '../../sim/scheduler.ts';

export interface SimFetchSettings {
  scheduler: Scheduler;
  network: Network;
  /** The run's own server, which takes each request as its parts (protocol/settled-exchange.ts). */
  server: ExchangeServer;
  /** The name of this device's link to the server. */
  link: string;
  requestTimeoutMs: number;
  /** Receives a server handler that threw: that is the server failing, not the network. */
  onServerError: (error: unknown) => void;
}

export function createSimFetch(settings: SimFetchSettings): typeof fetch {
  const { scheduler, network, server, link } = settings;
  return async (input, init) => {
    const request = plainGet(input, init) ?? new Request(input, init);
    const body = request instanceof Request && request.method !== 'GET' && request.method !== 'HEAD' ? await request.text() : undefined;
    const url = request instanceof Request ? new URL(request.url) : request.url;
    const path = url.pathname;
    return new Promise<Response>((resolve, reject) => {
      let settled = false;
      const fail = (reason: string) => {
        if (settled) return;
        settled = true;
        cancelTimeout();
        reject(new TypeError('fetch failed', { cause: new Error(reason) }));
      };
      const cancelTimeout = scheduler.after(settings.requestTimeoutMs, () => fail('request timed out'));
      if (network.state(link) === 'partitioned') {
        network.refuse(link, 'to-server', `${request.method} ${path}`, body?.length ?? 0);
        scheduler.after(0, () => fail('network unreachable'));
        return;
      }
      network.send(link, 'to-server', `${request.method} ${path}`, body?.length ?? 0, () => {
        // the parts a server reads off the wire, the body as the device's Request read it: no Request is built for the server
        server.exchange({ method: request.method, url, headers: request.headers, body }).then(
          (answer) => {
            network.send(link, 'to-device', `${answer.status} ${path}`, answer.text.length, () => {
              if (settled) return;
              settled = true;
              cancelTimeout();
              resolve(responseOf(answer));
            });
          },
          (error) => {
            if (!(error instanceof ServerUnavailableError)) return settings.onServerError(error);
            network.send(link, 'to-device', `refused ${path}`, 0, () => fail(error.message));
          },
        );
      });
    });
  };
}

/** A GET or HEAD as it goes on the wire. */
interface PlainGet {
  method: 'GET' | 'HEAD';
  url: URL;
  headers: Headers;
}

/** The init fields the simulation reads; `signal` is ignored, as docs/adapters.md says. */
const PLAIN_INIT_FIELDS = new Set(['method', 'headers', 'signal']);

/**
 * The common bodiless call taken as fetch would take it, without building a Request: an absolute
 * URL, GET or HEAD, headers and nothing else to interpret. Anything else is undefined, for a real
 * Request to read (and to refuse as fetch does). A call with a body still goes through a Request
 * and its stream: that read's microtask turns decide the order of same-instant sends across
 * devices, which every event-log hash pins.
 */
function plainGet(input: Parameters<typeof fetch>[0], init: RequestInit | undefined): PlainGet | undefined {
  if (typeof input !== 'string' && !(input instanceof URL)) return undefined;
  for (const field in init) if (!PLAIN_INIT_FIELDS.has(field)) return undefined;
  const method = typeof init?.method === 'string' ? init.method.toUpperCase() : init?.method === undefined ? 'GET' : undefined;
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  if (init?.signal != null && !(init.signal instanceof AbortSignal)) return undefined;
  const url = URL.parse(String(input));
  if (url === null || url.username !== '' || url.password !== '') return undefined;
  let headers: Headers;
  try {
    headers = new Headers(init?.headers);
  } catch {
    return undefined;
  }
  return { method, url, headers };
}
