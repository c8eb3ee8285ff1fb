// `conformance` over loopback sockets: every rule passes on the reference server under each policy,
// the replays-twice fixture and a few one-bug mutants fail the rule naming their bug, and the command
// prints its table and exits 0/1/2/3 (all pass, a failure, bad URL, unreachable).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stripVTControlCharacters } from 'node:util';
import { CommanderError } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppliesReplaysTwiceServer } from '../fixtures/servers/applies-replays-twice.ts';
import type { SyncServer } from '../src/adapter.ts';
import { conformanceCommand } from '../src/cli/conformance-command.ts';
import { checkConformance, RULE_NAMES, ServerUnreachableError, type RuleResult } from '../src/conformance/conformance.ts';
import { CONFLICT_POLICIES, type PullResponse } from '../src/protocol/v1.ts';
import { createReferenceServer } from '../src/reference/server/server.ts';
import { BadInputError } from '../src/errors.ts';
import { newDb } from './reference-server-helpers.ts';

const listening: Server[] = [];
const REQUESTS_PER_RUN = 80;

afterEach(async () => {
  await Promise.all(listening.splice(0).map(close));
  process.exitCode = undefined;
});

interface Mounted {
  url: string;
  /** Requests the server has answered. */
  requests(): number;
}

/** Mounts `handle()` on a node:http server on a free loopback port. */
async function serve(server: SyncServer): Promise<Mounted> {
  let requests = 0;
  const http = createServer(async (incoming, outgoing) => {
    requests++;
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const headers = Object.entries(incoming.headers).flatMap(([name, value]) => (typeof value === 'string' ? [[name, value] as [string, string]] : []));
    const hasBody = incoming.method !== 'GET' && incoming.method !== 'HEAD';
    const request = new Request(`http://127.0.0.1${incoming.url}`, { method: incoming.method, headers, ...(hasBody && { body: Buffer.concat(chunks) }) });
    const response = await server.handle(request).catch((error: Error) => Response.json({ error: error.message }, { status: 500 }));
    outgoing.writeHead(response.status, Object.fromEntries(response.headers));
    outgoing.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  listening.push(http);
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, requests: () => requests };
}

function close(http: Server): Promise<void> {
  http.closeAllConnections();
  return new Promise((resolve) => http.close(() => resolve()));
}

/** A port that was just free and has nothing listening on it. */
async function deadPort(): Promise<number> {
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  await close(http);
  return port;
}

function failedRules(results: RuleResult[]): string[] {
  return results.filter((result) => !result.passed).map((result) => result.rule);
}

/** A reference server with one bug spliced into its requests or responses. */
function mutant(rewrite: (request: Request, inner: SyncServer) => Promise<Response>): SyncServer {
  const inner = createReferenceServer(newDb());
  return { handle: (request) => rewrite(request, inner), records: inner.records };
}

describe('checkConformance', () => {
  for (const policy of CONFLICT_POLICIES) {
    it(`passes every rule on the reference server under ${policy}`, async () => {
      const mounted = await serve(createReferenceServer(newDb(), { policy }));
      const results = await checkConformance({ url: mounted.url });
      expect(results.map((result) => result.rule)).toEqual(RULE_NAMES);
      expect(results.filter((result) => !result.passed)).toEqual([]);
      expect(mounted.requests()).toBeLessThan(REQUESTS_PER_RUN);
      const staleUpdate = results.find((result) => result.rule === 'update-needs-base')!.detail;
      expect(staleUpdate).toContain(policy === 'lww' ? 'applied with concurrent: true' : 'conflict, nothing written');
      expect(results.find((result) => result.rule === 'health')!.detail).toMatch(/^informational: GET \/health answered 404/);
    });
  }

  it('passes on a server behind a base path, sending the bearer token and deviceId given', async () => {
    const seen: string[] = [];
    const inner = createReferenceServer(newDb());
    const mounted = await serve({
      handle: async (request) => {
        const url = new URL(request.url);
        seen.push(`${request.headers.get('authorization')} ${url.pathname}`);
        if (!url.pathname.startsWith('/api/')) return Response.json({ error: 'not here' }, { status: 404 });
        if (request.method === 'POST') {
          const body = (await request.clone().json().catch(() => undefined)) as { deviceId?: unknown } | undefined;
          if (body?.deviceId !== undefined && body.deviceId !== 'phone-1') return Response.json({ error: 'not your device' }, { status: 403 });
        }
        url.pathname = url.pathname.slice('/api'.length);
        return inner.handle(new Request(url, { method: request.method, headers: request.headers, ...(request.method === 'POST' && { body: await request.text() }) }));
      },
      records: inner.records,
    });
    const results = await checkConformance({ url: `${mounted.url}/api/`, token: 'secret-1', deviceId: 'phone-1' });
    expect(failedRules(results)).toEqual([]);
    expect(seen.every((line) => line.startsWith('Bearer secret-1 /api/v1/') || line === 'Bearer secret-1 /api/health')).toBe(true);
  });

  it('fails idempotent-replay, and only it, on the server that applies a replayed change again', async () => {
    const mounted = await serve(createAppliesReplaysTwiceServer(newDb()));
    const results = await checkConformance({ url: mounted.url });
    expect(failedRules(results)).toEqual(['idempotent-replay']);
    const detail = results.find((result) => result.rule === 'idempotent-replay')!.detail;
    expect(detail).toContain('the update pushed again (same changeId) answered applied at version 3; expected duplicate with version 2');
    expect(detail).toContain('pull after the replays shows the note at version 3');
  });

  it('fails update-needs-base on a server that ignores baseVersion (a blind overwrite)', async () => {
    const server = mutant(async (request, inner) => {
      if (request.method !== 'POST') return inner.handle(request);
      const text = await request.text();
      let body: { changes: { id: string; baseVersion: number }[] };
      try {
        body = JSON.parse(text) as typeof body;
        if (!Array.isArray(body.changes)) throw new Error('not a push');
      } catch {
        return inner.handle(new Request(request.url, { method: 'POST', body: text }));
      }
      const versions = new Map((await inner.records()).map((record) => [record.id, record.version]));
      for (const change of body.changes) change.baseVersion = versions.get(change.id) ?? change.baseVersion;
      return inner.handle(new Request(request.url, { method: 'POST', body: JSON.stringify(body) }));
    });
    const results = await checkConformance({ url: (await serve(server)).url });
    expect(failedRules(results)).toContain('update-needs-base');
    expect(results.find((result) => result.rule === 'update-needs-base')!.detail).toMatch(/answered applied at version 3 without concurrent: true/);
  });

  it('fails pull-cursor-monotonic on a server whose hasMore is "the page is full"', async () => {
    const server = mutant(async (request, inner) => {
      const response = await inner.handle(request);
      const url = new URL(request.url);
      if (url.pathname !== '/v1/pull' || response.status !== 200) return response;
      const page = (await response.json()) as PullResponse;
      return Response.json({ ...page, hasMore: page.records.length === Number(url.searchParams.get('limit') ?? 100) });
    });
    const results = await checkConformance({ url: (await serve(server)).url });
    expect(failedRules(results)).toEqual(['pull-cursor-monotonic']);
    expect(results.find((result) => result.rule === 'pull-cursor-monotonic')!.detail).toContain('the previous page said hasMore: true but this one is empty');
  });

  it('fails malformed-rejected on a server that answers 500 to a body that is not JSON', async () => {
    const server = mutant(async (request, inner) => {
      const text = request.method === 'POST' ? await request.clone().text() : '{}';
      try {
        JSON.parse(text);
      } catch {
        return Response.json({ error: 'Unexpected end of JSON input' }, { status: 500 });
      }
      return inner.handle(request);
    });
    const results = await checkConformance({ url: (await serve(server)).url });
    expect(failedRules(results)).toEqual(['malformed-rejected']);
    expect(results.find((result) => result.rule === 'malformed-rejected')!.detail).toContain('never crash the server');
  });

  it('throws ServerUnreachableError when nothing listens, and BadInputError for a URL it cannot use', async () => {
    const port = await deadPort();
    await expect(checkConformance({ url: `http://127.0.0.1:${port}` })).rejects.toThrow(ServerUnreachableError);
    await expect(checkConformance({ url: 'not a url' })).rejects.toThrow(BadInputError);
    await expect(checkConformance({ url: 'ftp://127.0.0.1/' })).rejects.toThrow(BadInputError);
    await expect(checkConformance({ url: 'http://user:pw@127.0.0.1/' })).rejects.toThrow(BadInputError);
  });
});

describe('the conformance command', () => {
  async function runCommand(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    process.exitCode = undefined;
    await conformanceCommand({ out: (text) => out.push(text), err: (text) => err.push(text) }).parseAsync(args, { from: 'user' });
    const code = Number(process.exitCode ?? 0);
    process.exitCode = undefined;
    return { code, out: stripVTControlCharacters(out.join('\n')), err: err.join('\n') };
  }

  it('prints an aligned PASS table and exits 0 on the reference server', async () => {
    const { url } = await serve(createReferenceServer(newDb()));
    const outcome = await runCommand(['--url', url]);
    expect(outcome.code).toBe(0);
    const lines = outcome.out.split('\n');
    expect(lines.slice(0, RULE_NAMES.length).map((line) => line.slice(0, 6 + 'pull-cursor-monotonic'.length + 2))).toEqual(
      RULE_NAMES.map((rule) => `PASS  ${rule.padEnd('pull-cursor-monotonic'.length)}  `),
    );
    expect(lines.at(-1)).toBe(`${RULE_NAMES.length} passed, 0 failed`);
  });

  it('exits 1 and names idempotent-replay on the broken fixture', async () => {
    const { url } = await serve(createAppliesReplaysTwiceServer(newDb()));
    const outcome = await runCommand(['--url', url]);
    expect(outcome.code).toBe(1);
    expect(outcome.out).toMatch(/^FAIL {2}idempotent-replay {2,}the update pushed again/m);
    expect(outcome.out.split('\n').at(-1)).toBe(`${RULE_NAMES.length - 1} passed, 1 failed`);
  });

  it('exits 3 with a clear message when the server cannot be reached', async () => {
    const port = await deadPort();
    const outcome = await runCommand(['--url', `http://127.0.0.1:${port}`]);
    expect(outcome.code).toBe(3);
    expect(outcome.out).toBe('');
    expect(outcome.err).toContain(`cannot reach http://127.0.0.1:${port}/: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(outcome.err).toContain('Nothing was checked.');
  });

  it('exits 2 on a bad URL, and refuses a missing --url as a usage error', async () => {
    const outcome = await runCommand(['--url', 'localhost:8080']);
    expect(outcome.code).toBe(2);
    expect(outcome.err).toContain('not an http(s) URL: "localhost:8080"');
    expect((await runCommand(['--url', '::nope'])).code).toBe(2);
    await expect(runCommand([])).rejects.toThrow(CommanderError);
  });
});
