// The reference server over real loopback sockets: health, a push/pull round trip, the 400/413/401/403
// answers, a graceful close that waits for a request still streaming its body, a restart over the
// same database file, and the `server` command's startup, bad flags and SIGTERM.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer, type HttpServerOptions, type RunningHttpServer } from '../src/serve/http-server.ts';
import type { Change, PullResponse, PushResponse } from '../src/protocol/v1.ts';
import { launch } from './server-process.ts';

const servers: RunningHttpServer[] = [];
const folders: string[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-http-'));
  folders.push(folder);
  return folder;
}

async function start(options: Partial<HttpServerOptions> = {}): Promise<RunningHttpServer> {
  const server = await startHttpServer({ port: 0, dbPath: join(tempFolder(), 'server.sqlite'), ...options });
  servers.push(server);
  return server;
}

const TOKENS = new Map([
  ['d1', 'secret-1'],
  ['d2', 'secret-2'],
]);

function folderCreate(id: string, changeId = `c-${id}`): Change {
  return { changeId, entity: 'folder', id, changeType: 'create', fields: { name: id }, baseVersion: 0, clientTime: 1 };
}

function push(server: RunningHttpServer, body: unknown, token?: string): Promise<Response> {
  return fetch(`${server.url}/v1/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function pushOk(server: RunningHttpServer, changes: Change[], token?: string): Promise<PushResponse> {
  const response = await push(server, { deviceId: 'd1', changes }, token);
  expect(response.status).toBe(200);
  return (await response.json()) as PushResponse;
}

async function pull(server: RunningHttpServer, cursor: number): Promise<PullResponse> {
  const response = await fetch(`${server.url}/v1/pull?cursor=${cursor}`);
  expect(response.status).toBe(200);
  return (await response.json()) as PullResponse;
}

describe('the reference server on node:http', () => {
  it('answers the health check on an ephemeral loopback port', async () => {
    const server = await start();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, protocol: 1 });
  });

  it('pushes and pulls through the same handler as the simulation', async () => {
    const server = await start({ policy: 'lww' });
    const note: Change = {
      changeId: 'c-n1', entity: 'note', id: 'n1', changeType: 'create', fields: { title: 'Groceries', folderId: 'f1' }, baseVersion: 0, clientTime: 2,
    };
    const { results } = await pushOk(server, [folderCreate('f1'), note]);
    expect(results.map((result) => [result.changeId, result.status, result.version])).toEqual([
      ['c-f1', 'applied', 1],
      ['c-n1', 'applied', 1],
    ]);
    const page = await pull(server, 0);
    expect(page.records.map((record) => record.id)).toEqual(['f1', 'n1']);
    expect(page.hasMore).toBe(false);
    expect((await pull(server, page.cursor)).records).toEqual([]);
    const unknown = await fetch(`${server.url}/v1/nowhere`);
    expect([unknown.status, await unknown.json()]).toEqual([404, { error: 'no route for GET /v1/nowhere' }]);
  });

  it("answers malformed requests with the handler's 400 and a reason", async () => {
    const server = await start();
    const notJson = await push(server, '{"deviceId": "d1", "changes": [');
    expect([notJson.status, await notJson.json()]).toEqual([400, { error: 'body is not valid JSON' }]);
    const badShape = await push(server, { deviceId: 'd1', changes: [{ changeId: 'x' }] });
    expect([badShape.status, await badShape.json()]).toEqual([400, { error: 'changes[0]: id must be a non-empty string' }]);
    const badQuery = await fetch(`${server.url}/v1/pull?cursor=-1`);
    expect([badQuery.status, await badQuery.json()]).toEqual([400, { error: 'cursor must be a whole number >= 0' }]);
  });

  it('refuses a body over the limit with 413, declared or streamed, and keeps serving', async () => {
    const server = await start({ maxBodyBytes: 1024 });
    const declared = await push(server, { deviceId: 'd1', changes: [], padding: 'x'.repeat(2048) });
    expect([declared.status, await declared.json()]).toEqual([413, { error: 'request body is larger than 1024 bytes' }]);

    let chunksSent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        chunksSent += 1;
        if (chunksSent > 10_000) controller.close(); // 640 MiB: far more than the server may read
        else controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const streamed = await fetch(`${server.url}/v1/push`, { method: 'POST', body: endless, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(chunksSent).toBeLessThan(1000);

    expect((await pushOk(server, [folderCreate('f1')])).results[0]?.status).toBe('applied');
  });

  it('requires a known bearer token on /v1 when tokens are configured, but not for /health', async () => {
    const server = await start({ tokens: TOKENS });
    const missing = await push(server, { deviceId: 'd1', changes: [] });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(await missing.json()).toEqual({ error: 'missing bearer token: send Authorization: Bearer <token>' });
    const wrong = await push(server, { deviceId: 'd1', changes: [] }, 'secret-3');
    expect([wrong.status, await wrong.json()]).toEqual([401, { error: 'unknown bearer token' }]);
    expect((await fetch(`${server.url}/v1/pull`)).status).toBe(401);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await pushOk(server, [folderCreate('f1')], 'secret-1')).results[0]?.status).toBe('applied');
    const pulled = await fetch(`${server.url}/v1/pull`, { headers: { authorization: 'Bearer secret-2' } });
    expect(((await pulled.json()) as PullResponse).records.map((record) => record.id)).toEqual(['f1']);
  });

  it('refuses with 403 a push whose deviceId is not the token holder, applying nothing', async () => {
    const server = await start({ tokens: TOKENS });
    const response = await push(server, { deviceId: 'd2', changes: [folderCreate('f1')] }, 'secret-1');
    expect([response.status, await response.json()]).toEqual([403, { error: 'a device cannot act as another' }]);
    const pulled = await fetch(`${server.url}/v1/pull`, { headers: { authorization: 'Bearer secret-2' } });
    expect(((await pulled.json()) as PullResponse).records).toEqual([]);
    const malformed = await push(server, '{', 'secret-1');
    expect(malformed.status).toBe(400);
  });

  it('refuses a token table where two devices share a token', async () => {
    await expect(startHttpServer({ port: 0, tokens: new Map([['d1', 'same'], ['d2', 'same']]) })).rejects.toThrow(
      'devices d1 and d2 share a token; each device needs its own',
    );
  });

  it('closes gracefully: stops accepting, finishes a request still streaming its body, then closes the db', async () => {
    const folder = tempFolder();
    const dbPath = join(folder, 'server.sqlite');
    const server = await start({ dbPath });
    const body = Buffer.from(JSON.stringify({ deviceId: 'd1', changes: [folderCreate('f1')] }));
    const half = Math.floor(body.length / 2);

    // Expect: 100-continue makes the server say when it holds the request, so close() surely comes mid-request.
    const inFlight = httpRequest(`${server.url}/v1/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': body.length, expect: '100-continue' },
    });
    const answered = new Promise<IncomingMessage>((resolve, reject) => {
      inFlight.once('response', resolve);
      inFlight.once('error', reject);
    });
    await new Promise<void>((resolve) => inFlight.once('continue', resolve));
    inFlight.write(body.subarray(0, half));

    let closed = false;
    const closing = server.close().then(() => {
      closed = true;
    });
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    expect(closed).toBe(false);

    inFlight.end(body.subarray(half));
    const response = await answered;
    const text = await new Promise<string>((resolve) => {
      let received = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (received += chunk)).once('end', () => resolve(received));
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers.connection).toBe('close');
    expect((JSON.parse(text) as PushResponse).results[0]?.status).toBe('applied');
    await closing;
    expect(closed).toBe(true);

    const reopened = await start({ dbPath });
    expect((await pull(reopened, 0)).records.map((record) => record.id)).toEqual(['f1']);
  });

  it('keeps committed data and idempotency across a restart over the same db file', async () => {
    const dbPath = join(tempFolder(), 'server.sqlite');
    const first = await start({ dbPath });
    expect((await pushOk(first, [folderCreate('f1', 'c-1')])).results[0]?.status).toBe('applied');
    await first.close();

    const second = await start({ dbPath });
    const [replayed] = (await pushOk(second, [folderCreate('f1', 'c-1')])).results;
    expect([replayed?.status, replayed?.version]).toEqual(['duplicate', 1]);
    expect((await pull(second, 0)).records.map((record) => [record.id, record.version])).toEqual([['f1', 1]]);
  });
});

describe('sync-chaos server', () => {
  it('listens, says it is open without --tokens, and exits 0 after a graceful SIGTERM', async () => {
    const dbPath = join(tempFolder(), 'cli.sqlite');
    const server = launch(['--port', '0', '--db', dbPath, '--conflict', 'lww']);
    const [, url] = await server.line(/sync-chaos server listening on (http:\/\/127\.0\.0\.1:\d+) \(protocol v1, policy lww, db .*cli\.sqlite\)\n/);
    await server.line(/open: no --tokens given, so any client may push as any device\n/);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    server.signal('SIGTERM');
    expect(await server.code).toBe(0);
    expect(server.stdout()).toContain('sync-chaos server stopped');
  });

  it('requires the tokens from --tokens', async () => {
    const folder = tempFolder();
    const tokens = join(folder, 'tokens.json');
    writeFileSync(tokens, JSON.stringify({ d1: 'secret-1' }));
    const server = launch(['--port', '0', '--db', join(folder, 'cli.sqlite'), '--tokens', tokens]);
    const [, url] = await server.line(/listening on (\S+) /);
    await server.line(/bearer tokens required for 1 device: d1\n/);
    expect((await fetch(`${url}/v1/pull`)).status).toBe(401);
    expect((await fetch(`${url}/v1/pull`, { headers: { authorization: 'Bearer secret-1' } })).status).toBe(200);
    server.signal('SIGTERM');
    expect(await server.code).toBe(0);
  });

  it('exits 2 with the reason on bad flags', async () => {
    const shared = join(tempFolder(), 'tokens.json');
    writeFileSync(shared, JSON.stringify({ d1: 'same', d2: 'same' }));
    const cases: [string[], string][] = [
      [['--port', 'http'], '--port expects a whole number from 0 to 65535, found "http"'],
      [['--port', '70000'], '--port expects a whole number from 0 to 65535, found "70000"'],
      [['--conflict', 'newest'], '--conflict must be one of server-wins, lww, field-merge, manual; found "newest"'],
      [['--tokens', 'no-such-tokens.json'], '--tokens no-such-tokens.json: ENOENT'],
      [['--tokens', shared], `--tokens ${shared}: devices d1 and d2 share a token; each device needs its own`],
      [['--db', 'no-such-folder/server.sqlite'], '--db no-such-folder/server.sqlite: its folder does not exist'],
      [['--colour'], "unknown option '--colour'"],
    ];
    const outcomes = await Promise.all(
      cases.map(async ([args]) => {
        const server = launch(['--port', '0', ...args]);
        return { code: await server.code, stderr: server.stderr() };
      }),
    );
    for (const [index, [args, message]] of cases.entries()) {
      expect({ args, ...outcomes[index] }).toMatchObject({ args, code: 2, stderr: expect.stringContaining(message) });
    }
  });

  it('exits 2 when the port is taken', async () => {
    const taken = await start();
    const server = launch(['--port', String(taken.port), '--db', join(tempFolder(), 'cli.sqlite')]);
    expect(await server.code).toBe(2);
    expect(server.stderr()).toContain(`cannot start the server: port ${taken.port} on 127.0.0.1 is already in use`);
  });
});
