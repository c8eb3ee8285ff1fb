// Hostile requests against the node:http mount: other encodings of one push (a BOM, UTF-16,
// duplicate or escaped keys) are refused or reach the handler as the very value the token gate
// checked; odd methods get 405, a throwing handler a 500, and a seeded property test sends random
// bodies with d1's token and finds no write committed as another device's.
import Database from 'better-sqlite3';
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { SyncServer } from '../src/adapter.ts';
import { mountHttpServer, type MountedHttpServer, type MountOptions } from '../src/serve/http-server.ts';
import { createReferenceServer } from '../src/reference/server/server.ts';
import { createRng, type Rng } from '../src/sim/rng.ts';

const TOKENS = new Map([
  ['d1', 'secret-1'],
  ['d2', 'secret-2'],
]);

const mounted: MountedHttpServer[] = [];
const databases: Database.Database[] = [];

afterEach(async () => {
  await Promise.all(mounted.splice(0).map((server) => server.destroy()));
  for (const db of databases.splice(0)) db.close();
});

async function mount(app: SyncServer, options: Partial<MountOptions> = {}): Promise<MountedHttpServer> {
  const server = await mountHttpServer(app, { port: 0, ...options });
  mounted.push(server);
  return server;
}

/** A handler that answers with the body it parsed itself, and keeps every body it was handed. */
function echoServer(): SyncServer & { seen: unknown[] } {
  const seen: unknown[] = [];
  return {
    seen,
    handle: async (request) => {
      const body: unknown = await request.json();
      seen.push(body);
      return Response.json({ parsed: body });
    },
    records: async () => [],
  };
}

/** A push with d1's token. */
async function post(server: MountedHttpServer, body: Uint8Array): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${server.url}/v1/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer secret-1' },
    body: Buffer.from(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Sends a request as raw as node:http's client allows, for the methods fetch will not send. */
function rawRequest(url: string, method: string): Promise<{ status: number; allow?: string; body: unknown }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.once('end', () => resolve({ status: response.statusCode ?? 0, allow: response.headers.allow, body: JSON.parse(text) as unknown }));
    });
    request.once('error', reject);
    request.end();
  });
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const BOM = [0xef, 0xbb, 0xbf];
const withBytes = (prefix: number[], body: Uint8Array) => new Uint8Array([...prefix, ...body]);
const utf16le = (text: string) => new Uint8Array(Buffer.from(text, 'utf16le'));
const utf16be = (text: string) => new Uint8Array(Buffer.from(text, 'utf16le').swap16());

describe('one push body, many encodings', () => {
  const asD2 = '{"deviceId":"d2","changes":[]}';
  const asD1 = '{"deviceId":"d1","changes":[]}';
  const refused: [string, Uint8Array, number][] = [
    ['a UTF-8 BOM before the body', withBytes(BOM, utf8(asD2)), 403],
    ['a BOM, then whitespace', withBytes(BOM, utf8(` \n\t ${asD2}`)), 403],
    ['two BOMs', withBytes([...BOM, ...BOM], utf8(asD1)), 400],
    ['UTF-16LE with its BOM', withBytes([0xff, 0xfe], utf16le(asD2)), 400],
    ['UTF-16BE without a BOM', utf16be(asD1), 400],
    ['a duplicate deviceId, the other device last', utf8('{"deviceId":"d1","deviceId":"d2","changes":[]}'), 403],
    ['an escaped key name', utf8('{"device\\u0049d":"d2","changes":[]}'), 403],
    ['an escaped value', utf8('{"deviceId":"d\\u0032","changes":[]}'), 403],
    ['a malformed UTF-8 byte in a string', withBytes([], new Uint8Array([...utf8('{"deviceId":"d1","x":"'), 0xc3, 0x28, ...utf8('","changes":[]}')])), 400],
    ['no deviceId', utf8('{"changes":[]}'), 403],
    ['a deviceId that is not a string', utf8('{"deviceId":["d1"],"changes":[]}'), 403],
    ['an array of pushes', utf8(`[${asD2}]`), 403],
    ['a number beyond a double', utf8('{"deviceId":"d1","changes":[],"n":1e400}'), 400],
    ['nesting deeper than the stack', utf8(`{"deviceId":"d1","changes":[],"deep":${'['.repeat(200_000)}${']'.repeat(200_000)}}`), 400],
  ];

  it.each(refused)('refuses %s before the handler sees it', async (_name, body, status) => {
    const app = echoServer();
    const server = await mount(app, { tokens: TOKENS, maxBodyBytes: 2 * 1024 * 1024 });
    const answer = await post(server, body);
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({ error: expect.any(String) });
    expect(app.seen).toEqual([]);
  });

  const accepted: [string, Uint8Array, unknown][] = [
    ['a UTF-8 BOM before its own deviceId', withBytes(BOM, utf8(asD1)), { deviceId: 'd1', changes: [] }],
    ['a duplicate deviceId, its own last', utf8('{"deviceId":"d2","deviceId":"d1","changes":[]}'), { deviceId: 'd1', changes: [] }],
    ['an escaped key naming itself', utf8('{"\\u0064eviceId":"d\\u0031","changes":[]}'), { deviceId: 'd1', changes: [] }],
    ['a __proto__ key', utf8('{"__proto__":{"deviceId":"d2"},"deviceId":"d1","changes":[]}'), JSON.parse('{"__proto__":{"deviceId":"d2"},"deviceId":"d1","changes":[]}')],
  ];

  it.each(accepted)('hands the handler the value the gate checked for %s', async (_name, body, value) => {
    const app = echoServer();
    const server = await mount(app, { tokens: TOKENS });
    const answer = await post(server, body);
    expect(answer).toEqual({ status: 200, body: { parsed: value } });
    expect(app.seen).toEqual([value]);
  });
});

describe('methods and failures', () => {
  it('answers TRACE, OPTIONS, PUT and unknown methods 405 with a JSON body', async () => {
    const server = await mount(echoServer());
    for (const method of ['TRACE', 'OPTIONS', 'PUT', 'PROPFIND', 'BREW']) {
      const answer = await rawRequest(`${server.url}/health`, method);
      expect({ method, ...answer }).toEqual({ method, status: 405, allow: 'GET, POST', body: { error: expect.stringContaining('not allowed') } });
    }
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('answers a handler that throws with 500 and the reason, and keeps serving', async () => {
    let calls = 0;
    const throwing: SyncServer = {
      handle: async () => {
        calls += 1;
        throw new Error(`handler broke (${calls})`);
      },
      records: async () => [],
    };
    const server = await mount(throwing);
    for (const expected of [1, 3]) {
      const answer = await post(server, utf8('{"deviceId":"d1","changes":[]}'));
      expect(answer).toEqual({ status: 500, body: { error: `handler broke (${expected})` } });
      const pulled = await fetch(`${server.url}/v1/pull`);
      expect([pulled.status, await pulled.json()]).toEqual([500, { error: `handler broke (${expected + 1})` }]);
    }
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});

/** One random push body in one random encoding, with the devices its text names. */
function randomBody(rng: Rng, index: number): Uint8Array {
  const escape = (text: string) => [...text].map((char) => (rng.chance(0.3) ? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}` : char)).join('');
  const space = () => rng.pick(['', ' ', '\n', '\t', '\r\n ']);
  const claim = () => rng.pick<unknown>(['d1', 'd2', 'd3', '', 'D1', 'd1 ', null, 7, ['d2'], { id: 'd2' }]);
  const member = (key: string, value: unknown) =>
    `${space()}"${escape(key)}"${space()}:${space()}${typeof value === 'string' ? `"${escape(value)}"` : JSON.stringify(value)}`;
  const change = { changeId: `c${index}`, entity: 'folder', id: `f${index}`, changeType: 'create', fields: { name: 'x' }, baseVersion: 0, clientTime: 1 };
  const members = Array.from({ length: rng.int(0, 3) }, () => member('deviceId', claim()));
  members.push(member('changes', [change]));
  if (rng.chance(0.2)) members.push(member('extra', { deviceId: claim() }));
  const shuffled = members.map((text) => ({ text, at: rng.next() })).sort((a, b) => a.at - b.at).map(({ text }) => text);
  const text = `${space()}{${shuffled.join(',')}}${space()}`;
  const bytes = rng.pick([
    () => utf8(text),
    () => withBytes(BOM, utf8(text)),
    () => withBytes([...BOM, ...BOM], utf8(text)),
    () => withBytes([0xff, 0xfe], utf16le(text)),
    () => withBytes([0xfe, 0xff], utf16be(text)),
    () => utf16le(text),
    () => new Uint8Array(Buffer.from(text, 'latin1')),
    () => withBytes([0xc0], utf8(text)),
  ])();
  return rng.chance(0.1) ? bytes.subarray(0, rng.int(0, bytes.length)) : bytes;
}

describe('authorisation, as a property', () => {
  it("commits no write made with d1's token as another device's, whatever the body or its encoding", async () => {
    const db = new Database(':memory:');
    databases.push(db);
    const committedAs: string[] = [];
    const app = createReferenceServer(db, { onCommit: ({ deviceId }) => committedAs.push(deviceId) });
    const server = await mount(app, { tokens: TOKENS });
    const rng = createRng(20, 'hostile-bodies');
    const statuses = new Map<number, number>();
    for (let index = 0; index < 300; index++) {
      const answer = await post(server, randomBody(rng, index));
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      expect(answer.body, `request ${index}`).toBeTypeOf('object');
    }
    expect([...statuses.keys()].sort()).toEqual([200, 400, 403]);
    expect(committedAs.length).toBeGreaterThan(0);
    expect(new Set(committedAs)).toEqual(new Set(['d1']));
  });
});
