// A device's Fetch API over real HTTP: its own undici Agent (its own connection pool, as a phone
// has) composed with the link interceptor, aimed at the real server whatever host the client
// names (the path is kept, as in simulation). The body is read in full within the request
// timeout, which runs on the run's scaled clock, and handed over as a standard Response.
import { Agent, type Dispatcher } from 'undici';
import type { SimFetchSettings } from '../simulated/sim-fetch.ts';
import { linkInterceptor } from './link-interceptor.ts';

export interface HttpFetchSettings extends Omit<SimFetchSettings, 'server' | 'onServerError'> {
  /** The real server's base URL, known once it listens; the client's path is appended to its path. */
  base: () => URL;
  /** Sent as `authorization: Bearer <token>` unless the client sets its own. */
  token?: string;
}

export interface HttpFetch {
  fetch: typeof fetch;
  close(): Promise<void>;
}

export function createHttpFetch(settings: HttpFetchSettings): HttpFetch {
  const agent = new Agent({ connections: 4 });
  const dispatcher = agent.compose(linkInterceptor(settings));
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const headers = Object.fromEntries(request.headers);
    if (settings.token !== undefined && headers['authorization'] === undefined) headers['authorization'] = `Bearer ${settings.token}`;
    const bodyless = request.method === 'GET' || request.method === 'HEAD';
    const base = settings.base();
    const options: Dispatcher.RequestOptions = {
      origin: base.origin,
      path: base.pathname.replace(/\/$/, '') + url.pathname + url.search,
      method: request.method as Dispatcher.HttpMethod,
      headers,
      body: bodyless ? null : await request.text(),
    };
    const abort = new AbortController();
    const timedOut = new Promise<never>((_resolve, reject) => {
      const cancelTimeout = settings.scheduler.after(settings.requestTimeoutMs, () => {
        abort.abort(new Error('request timed out'));
        reject(new Error('request timed out'));
      });
      abort.signal.addEventListener('abort', cancelTimeout);
    });
    const exchange = (async () => {
      const { statusCode, headers: answered, body } = await dispatcher.request({ ...options, signal: abort.signal });
      const text = await body.text();
      return new Response(text === '' ? null : text, { status: statusCode, headers: toHeaders(answered) });
    })();
    exchange.catch(() => {});
    try {
      return await Promise.race([exchange, timedOut]);
    } catch (error) {
      throw new TypeError('fetch failed', { cause: error });
    } finally {
      abort.abort(new Error('the exchange is over'));
    }
  };
  return { fetch, close: () => agent.destroy() };
}

function toHeaders(answered: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(answered)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, item);
  }
  return headers;
}
