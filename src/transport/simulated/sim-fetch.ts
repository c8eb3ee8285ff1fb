// The Fetch API of one device, carried over the simulated network: the request and the
// response are separate messages with real JSON bodies, either can be dropped or held, and a
// request that gets no answer fails after the timeout, as a phone's does; a server that is down
// refuses the connection, which the device learns one trip later. A request made while the link is
// partitioned fails at once, and the history still records it as the device's attempt (`refused`).
import { ServerUnavailableError } from '../../errors.ts';
import { responseOf, type ExchangeServer } from '../../protocol/settled-exchange.ts';
import { readBack, TEXT_CONTENT_TYPE } from '../../protocol/settled-response.ts';
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
    const request = plainRequest(input, init) ?? new Request(input, init);
    // read here, not in a helper: an async helper's own turn would move the sends a bodiless call makes at once
    let body: string | undefined;
    if (request instanceof Request) body = request.method !== 'GET' && request.method !== 'HEAD' ? await request.text() : undefined;
    else if (request.body !== undefined) body = await readLikeRequest(request.body);
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

/** A request as it goes on the wire, its body (none for a GET or HEAD) the text as sent. */
interface PlainRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: string | undefined;
}

/** The init fields the simulation reads; `signal` is ignored, as docs/adapters.md says. */
const PLAIN_INIT_FIELDS = new Set(['method', 'headers', 'body', 'signal']);
/** The methods fetch spells in capitals whatever their case, as `Request` normalizes them. */
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

/**
 * The common call taken as fetch would take it, without building a Request: an absolute URL, a method
 * fetch normalizes, headers, and a string body for a method that has one (none for GET or HEAD), nothing
 * else to interpret. Anything else is undefined, for a real Request to read (and to refuse as fetch does).
 */
function plainRequest(input: Parameters<typeof fetch>[0], init: RequestInit | undefined): PlainRequest | undefined {
  if (typeof input !== 'string' && !(input instanceof URL)) return undefined;
  for (const field in init) if (!PLAIN_INIT_FIELDS.has(field)) return undefined;
  const method = init?.method === undefined ? 'GET' : typeof init.method === 'string' ? init.method.toUpperCase() : undefined;
  if (method === undefined || !NORMALIZED_METHODS.has(method)) return undefined;
  const text = typeof init?.body === 'string' ? init.body : undefined;
  // a body other than a string, a GET or HEAD with one, or another method without
  if ((init?.body ?? undefined) !== text || (method === 'GET' || method === 'HEAD') !== (text === undefined)) return undefined;
  if (init?.signal != null && !(init.signal instanceof AbortSignal)) return undefined;
  const url = URL.parse(String(input));
  if (url === null || url.username !== '' || url.password !== '') return undefined;
  let headers: Headers;
  try {
    headers = new Headers(init?.headers);
  } catch {
    return undefined;
  }
  if (text !== undefined && !headers.has('content-type')) headers.set('content-type', TEXT_CONTENT_TYPE);
  return { method, url, headers, body: text };
}

/**
 * The microtask turns `Request.text()` takes to read a string body (Node 20's fetch; `await` included),
 * whatever its length: the order of same-instant sends across devices rests on them, and every event-log hash pins it.
 */
const REQUEST_BODY_READ_TURNS = 8;

/** The body as a Request reads it back, in the turns a Request takes, so a run goes as it did through one. */
async function readLikeRequest(body: string): Promise<string> {
  for (let turn = 1; turn < REQUEST_BODY_READ_TURNS; turn++) await undefined;
  return readBack(body);
}
