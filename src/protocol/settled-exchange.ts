// A request and its answer as the simulated network carries them between a device and the run's own
// server: their parts, the body settled text, with no Fetch object built on the server's side. The server
// takes them as they are (`exchange`); its `handle(Request)` for node:http and tests goes the same way.
import type { SyncServer } from '../adapter.ts';
import { SettledResponse } from './settled-response.ts';

export interface SettledRequest {
  method: string;
  url: URL;
  headers: Headers;
  /** The body as the server reads it back (undefined for a GET or HEAD). */
  body: string | undefined;
}

export interface SettledAnswer {
  status: number;
  statusText: string;
  /** As a Response's headers iterate: lower-case names, in order. */
  headers: readonly [string, string][];
  /** The body; '' for none. */
  text: string;
}

/** A server that takes settled requests, as the run's own server does, and Fetch requests through `handle`. */
export interface ExchangeServer extends SyncServer {
  exchange(request: SettledRequest): Promise<SettledAnswer>;
}

/** The headers of a JSON answer, with `extra` ones, as a Response built with them would iterate them. */
export function jsonHeaders(extra: Record<string, string> = {}): readonly [string, string][] {
  return [...new Headers({ 'content-type': 'application/json', ...extra })];
}

const JSON_ONLY = jsonHeaders();

/** A JSON answer, as `SettledResponse.json(body, { status })` would read. */
export function jsonAnswer(status: number, body: unknown, headers = JSON_ONLY): SettledAnswer {
  return { status, statusText: '', headers, text: JSON.stringify(body) };
}

/** The `handle(Request)` of a server that takes settled requests: the request read once, the answer a settled Response. */
export function handlerOf(exchange: ExchangeServer['exchange']): SyncServer['handle'] {
  return async (request) => responseOf(await exchange(await settledRequestOf(request)));
}

/** A Fetch request's parts and body, read once. */
async function settledRequestOf(request: Request): Promise<SettledRequest> {
  const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.text();
  return { method: request.method, url: new URL(request.url), headers: request.headers, body };
}

/** The answer as a Response: what a device's fetch resolves to. */
export function responseOf(answer: SettledAnswer): Response {
  const { status, statusText, headers, text } = answer;
  return new SettledResponse(text === '' ? null : text, { status, statusText, headers: headers as [string, string][] });
}
