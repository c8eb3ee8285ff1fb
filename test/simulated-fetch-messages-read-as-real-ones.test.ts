// The simulated fetch hands the device a Response whose body is settled text, takes the common call
// without a Request of its own, and hands the server the request's parts: the device's Response must read
// exactly as the real one with the same body, through every reader (text, json, arrayBuffer, bytes, blob,
// body, clone), and the server must get what it would read off the wire from the real Request, sent in the
// microtask turn the real one would be.
import { describe, expect, it, vi } from 'vitest';
import { handlerOf, type ExchangeServer, type SettledRequest } from '../src/protocol/settled-exchange.ts';
import { Network } from '../src/sim/network.ts';
import { createRng } from '../src/sim/rng.ts';
import { Scheduler } from '../src/sim/scheduler.ts';
import { createSimFetch } from '../src/transport/simulated/sim-fetch.ts';

const URL_BASE = 'http://sync-server.sim';

async function outcome(read: () => Promise<unknown> | unknown): Promise<unknown> {
  try {
    const value = await read();
    if (value instanceof ArrayBuffer) return { arrayBuffer: [...new Uint8Array(value)] };
    if (value instanceof Uint8Array) return { bytes: [...value] };
    if (value instanceof Blob) return { blob: value.type, text: await value.text() };
    return { value };
  } catch (error) {
    return { threw: (error as Error).constructor.name };
  }
}

async function streamed(stream: ReadableStream<Uint8Array> | null): Promise<number[] | null> {
  if (stream === null) return null;
  const bytes: number[] = [];
  for await (const chunk of stream) bytes.push(...chunk);
  return bytes;
}

/** Everything an adapter can read off a message's body, read the way adapters read it. */
async function bodyOf(message: Request | Response): Promise<Record<string, unknown>> {
  const [forJson, forBuffer, forBytes, forBlob, forStream, forCloneOfClone] = [1, 2, 3, 4, 5, 6].map(() => message.clone());
  const stream = forStream!.body;
  return {
    usedBefore: message.bodyUsed,
    text: await outcome(() => message.text()),
    usedAfter: message.bodyUsed,
    readAgain: await outcome(() => message.text()),
    cloneAfterRead: await outcome(() => message.clone() && 'cloned'),
    json: await outcome(() => forJson!.json()),
    arrayBuffer: await outcome(() => forBuffer!.arrayBuffer()),
    bytes: await outcome(() => forBytes!.bytes()),
    blob: await outcome(() => forBlob!.blob()),
    streamIsStream: stream === null ? null : stream instanceof ReadableStream,
    stream: await streamed(stream),
    usedAfterStream: forStream!.bodyUsed,
    textAfterStream: await outcome(() => forStream!.text()),
    cloneOfClone: await outcome(() => forCloneOfClone!.clone().text()),
  };
}

async function responseOf(response: Response): Promise<Record<string, unknown>> {
  const { status, ok, statusText, type, url, redirected } = response;
  return { isResponse: response instanceof Response, status, ok, statusText, type, url, redirected, headers: [...response.headers], body: await bodyOf(response) };
}

/** What a server reads off the wire from a real Request: its method, URL, headers and body text (none for a GET or HEAD). */
async function wireOf(request: Request): Promise<Record<string, unknown>> {
  const { method, url } = request;
  return { method, url, headers: [...request.headers], body: method === 'GET' || method === 'HEAD' ? undefined : await request.text() };
}

function partsOf(request: SettledRequest): Record<string, unknown> {
  const { method, url, headers, body } = request;
  return { method, url: url.href, headers: [...headers], body };
}

interface Answer {
  body: string | null;
  init: ResponseInit;
}

/** A device's fetch over a healthy simulated link to a server that answers with `exchange`. */
function healthyLink(exchange: ExchangeServer['exchange']) {
  const scheduler = new Scheduler((error) => {
    throw error;
  });
  const network = new Network(scheduler, createRng(1, 'network'), { latencyMsMin: 10, latencyMsMax: 50 }, () => {});
  const server: ExchangeServer = { exchange, handle: handlerOf(exchange), records: async () => [] };
  const fetch = createSimFetch({ scheduler, network, server, link: 'd1', requestTimeoutMs: 5_000, onServerError: (error) => { throw error; } });
  return { scheduler, network, fetch };
}

/**
 * One fetch over a healthy simulated link to a server that answers what a real Response of `answer` reads.
 * Returns the parts of the request the server got, and the response the device got.
 */
async function simulatedFetch(input: string | Request, init: RequestInit | undefined, answer: Answer) {
  let received: Record<string, unknown> | undefined;
  const { scheduler, fetch } = healthyLink(async (request) => {
    received = partsOf(request);
    const response = new Response(answer.body, answer.init);
    return { status: response.status, statusText: response.statusText, headers: [...response.headers], text: await response.text() };
  });
  const answered = fetch(input, init).then(
    (response) => ({ response }),
    (error: unknown) => ({ error }),
  );
  await scheduler.runUntil(1_000);
  const outcome = await answered;
  if ('error' in outcome) throw outcome.error;
  return { received: received!, response: outcome.response };
}

const JSON_ANSWER: Answer = { body: JSON.stringify({ results: [{ changeId: 'c1', status: 'applied' }], note: 'ünïcödé ✓' }), init: { status: 200, headers: { 'content-type': 'application/json', 'x-trace': 'abc' } } };

describe('the simulated fetch', () => {
  it.each<[string, Answer]>([
    ['a JSON answer', JSON_ANSWER],
    ['an error status with a body', { body: '{"error":"no route"}', init: { status: 404, statusText: 'Not Found', headers: { 'content-type': 'application/json' } } }],
    ['a body that is not JSON, with no content type', { body: 'plain words', init: { status: 503 } }],
    ['an empty answer', { body: null, init: { status: 204 } }],
  ])('hands the device a Response that reads as the real one with the same body: %s', async (_, answer) => {
    const { response } = await simulatedFetch(`${URL_BASE}/v1/pull?cursor=0`, { method: 'GET' }, answer);
    const real = new Response(answer.body, answer.init);
    expect(await responseOf(response)).toEqual(await responseOf(real));
  });

  const BODY = JSON.stringify({ deviceId: 'd1', changes: [{ changeId: 'c1', fields: { title: 'ünïcödé ✓' } }] });
  it.each<[string, RequestInit]>([
    ['a JSON push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY }],
    ['a lower-case method and no content type', { method: 'post', body: BODY }],
    ['a body starting with a byte-order mark and holding a lone surrogate', { method: 'PUT', body: '\uFEFF{"a":"\uD800"}' }],
    ['a POST with no body', { method: 'POST' }],
    ['a GET', { headers: { accept: 'application/json' } }],
    ['a method a Request keeps as spelled', { method: 'PATCH', body: BODY }],
  ])('hands the server what it would read off the wire from the real Request the device made: %s', async (_, init) => {
    const url = `${URL_BASE}/v1/push?x=1`;
    const { received } = await simulatedFetch(url, init, JSON_ANSWER);
    expect(received).toEqual(await wireOf(new Request(url, init)));
  });

  it('takes a Request as input as fetch does, and the server gets the same request as from the URL and init', async () => {
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY };
    const fromRequest = await simulatedFetch(new Request(`${URL_BASE}/v1/push`, init), undefined, JSON_ANSWER);
    const fromUrl = await simulatedFetch(`${URL_BASE}/v1/push`, init, JSON_ANSWER);
    expect(fromRequest.received).toEqual(fromUrl.received);
    expect(fromRequest.received).toMatchObject({ method: 'POST', body: BODY });
  });

  it.each<[string, RequestInit | undefined]>([
    ['a POST with a string body, taken without a Request', { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY }],
    ['a POST with a body of bytes, read through a Request', { method: 'POST', body: new TextEncoder().encode(BODY) }],
    ['a GET, sent at once', undefined],
  ])('puts the request on the wire in the microtask turn fetch through a Request would, so runs keep their order: %s', async (_, init) => {
    const { network, fetch } = healthyLink(async () => ({ status: 204, statusText: '', headers: [], text: '' }));
    let turn = 0;
    const sentAtTurns: number[] = [];
    const send = network.send.bind(network);
    vi.spyOn(network, 'send').mockImplementation((...args) => {
      sentAtTurns.push(turn);
      send(...args);
    });
    const counted = (async () => {
      for (let step = 0; step < 20; step++) {
        await undefined;
        turn++;
      }
    })();
    const url = `${URL_BASE}/v1/push`;
    void fetch(url, init).catch(() => {});
    const readAtTurn = init?.body === undefined ? 0 : await new Request(url, init).text().then(() => turn);
    await counted;
    expect(sentAtTurns).toEqual([readAtTurn]);
  });

  it('refuses what fetch refuses, with the same error', async () => {
    for (const [input, init] of [
      ['not a url', undefined],
      [`${URL_BASE}/v1/pull`, { method: 'GET', body: 'x' }],
      ['http://user:secret@sync-server.sim/v1/pull', undefined],
    ] as const) {
      const real = await outcome(() => new Request(input, init));
      expect(real).toEqual({ threw: 'TypeError' });
      expect(await outcome(() => simulatedFetch(input, init, JSON_ANSWER))).toEqual(real);
    }
  });
});
