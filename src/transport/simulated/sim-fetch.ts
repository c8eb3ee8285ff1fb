// The Fetch API of one device, carried over the simulated network: the request and the
// response are separate messages with real JSON bodies, either can be dropped or held, and a
// request that gets no answer fails after the timeout, as a phone's does; a server that is down
// refuses the connection, which the device learns one trip later. A request made while the link is
// partitioned fails at once, and the history still records it as the device's attempt (`refused`).
import type { SyncServer } from '../../adapter.ts';
import { ServerUnavailableError } from '../../errors.ts';
import { readBack, SettledResponse } from '../../protocol/settled-response.ts';
import type { Network } from '../../sim/network.ts';
import type { Scheduler } from '../../sim/scheduler.ts';

export interface SimFetchSettings {
  scheduler: Scheduler;
  network: Network;
  server: SyncServer;
  /** The name of this device's link to the server. */
  link: string;
  requestTimeoutMs: number;
  /** Receives a server handler that threw: that is the server failing, not the network. */
  onServerError: (error: unknown) => void;
}

export function createSimFetch(settings: SimFetchSettings): typeof fetch {
  const { scheduler, network, server, link } = settings;
  return async (input, init) => {
    const request = plainRequest(input, init) ?? (await readRequest(new Request(input, init)));
    const { path, body } = request;
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
        const arrived = new Request(request.url, { method: request.method, headers: request.headers, body });
        server.handle(arrived).then(
          async (response) => {
            const text = await response.text();
            const { status, statusText } = response;
            const headers = [...response.headers];
            network.send(link, 'to-device', `${status} ${path}`, text.length, () => {
              if (settled) return;
              settled = true;
              cancelTimeout();
              resolve(new SettledResponse(text === '' ? null : text, { status, statusText, headers }));
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

/** A request as it goes on the wire: its body read once (`null` for a GET or HEAD, which carry none). */
interface SentRequest {
  method: string;
  url: string;
  path: string;
  headers: Headers;
  body: string | null;
}

/** The methods a Request spells in capitals whatever their case. */
const STANDARD_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
/** The init fields the simulation reads; `signal` is ignored, as docs/adapters.md says. */
const PLAIN_INIT_FIELDS = new Set(['method', 'headers', 'body', 'signal']);

/**
 * The common call taken as fetch would take it, without building a Request: an absolute URL and
 * a standard method, with a string body (or none) and nothing else to interpret; the body reads back
 * as a Request's would. Anything else is undefined, for a real Request to read (and to refuse as fetch does).
 */
function plainRequest(input: Parameters<typeof fetch>[0], init: RequestInit | undefined): SentRequest | undefined {
  if (typeof input !== 'string' && !(input instanceof URL)) return undefined;
  for (const field in init) if (!PLAIN_INIT_FIELDS.has(field)) return undefined;
  const method = init?.method ?? 'GET';
  if (typeof method !== 'string' || !STANDARD_METHODS.has(method.toUpperCase())) return undefined;
  const bodyless = method === 'GET' || method === 'HEAD';
  const given = init?.body ?? null;
  if (given !== null && (typeof given !== 'string' || bodyless)) return undefined;
  if (init?.signal != null && !(init.signal instanceof AbortSignal)) return undefined;
  const url = URL.parse(String(input));
  if (url === null || url.username !== '' || url.password !== '') return undefined;
  let headers: Headers;
  try {
    headers = new Headers(init?.headers);
  } catch {
    return undefined;
  }
  return { method: method.toUpperCase(), url: url.href, path: url.pathname, headers, body: bodyless ? null : readBack(given ?? '') };
}

async function readRequest(request: Request): Promise<SentRequest> {
  const bodyless = request.method === 'GET' || request.method === 'HEAD';
  const body = bodyless ? null : await request.text();
  return { method: request.method, url: request.url, path: new URL(request.url).pathname, headers: request.headers, body };
}
