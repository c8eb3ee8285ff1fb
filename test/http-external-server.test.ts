// Runs against a `sync-chaos server` child process, as `server: { url }` scenarios do, and kills that
// process with SIGKILL in the middle of the run: restarted over the same --db file, it must still
// hold every record it had acknowledged, and the devices must converge on it.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerRecord } from '../src/adapter.ts';
import type { PullResponse } from '../src/protocol/v1.ts';
import { loadClient } from '../src/run/client-loader.ts';
import { runScenario } from '../src/run/run.ts';
import { REPO_ROOT } from './cli-helpers.ts';
import { scenarioFrom } from './scenario-helpers.ts';
import { launch, type Launched } from './server-process.ts';

const launched: Launched[] = [];
const folders: string[] = [];

afterEach(async () => {
  for (const server of launched.splice(0)) {
    server.signal('SIGKILL');
    await server.code;
  }
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A port nobody listens on right now, so the server can be restarted on the very same one. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.once('error', reject);
  });
}

async function serverProcess(port: number, db: string): Promise<Launched> {
  const server = launch(['--port', String(port), '--db', db]);
  launched.push(server);
  await server.line(/listening on /);
  return server;
}

async function recordsAt(url: string): Promise<ServerRecord[]> {
  const page = (await (await fetch(`${url}/v1/pull?cursor=0&limit=1000`)).json()) as PullResponse;
  expect(page.hasMore).toBe(false);
  return page.records;
}

/** The server's records once it holds some (polled for at most about five real seconds). */
async function firstRecords(url: string): Promise<ServerRecord[]> {
  for (let attempt = 0; attempt < 25; attempt++) {
    await sleep(200);
    const records = await recordsAt(url);
    if (records.length > 0) return records;
  }
  return [];
}

describe('a run against an external server process', () => {
  it('loses nothing the server acknowledged when the server is killed with SIGKILL mid-run and restarted over the same --db', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-external-'));
    folders.push(folder);
    const db = join(folder, 'server.sqlite');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const first = await serverProcess(port, db);
    const scenario = scenarioFrom(`
name: external-kill
devices: 3
duration: 3m
quiesce_timeout: 20m
system: { server: { url: "${url}" }, time_scale: 60, sync_interval: 10s }
workload: { rate: 20/min }
allow: [overwritten]
faults: [{ at: 20s, for: 30s, partition: { target: d1, mode: response-lost } }]
`);
    const factory = await loadClient(scenario.system, REPO_ROOT);

    const running = runScenario(scenario, { seed: 4, client: factory });
    const acknowledged = await firstRecords(url);
    first.signal('SIGKILL');
    await first.code;
    await serverProcess(port, db);
    const result = await running;

    expect(acknowledged.length).toBeGreaterThan(0);
    const after = new Map((await recordsAt(url)).map((record) => [record.id, record]));
    for (const record of acknowledged) expect(after.get(record.id)?.version ?? 0).toBeGreaterThanOrEqual(record.version);
    const refused = [...result.history.events].filter((event) => event.type === 'message' && /^reset /.test(event.label));
    expect(refused.length).toBeGreaterThan(0);
    expect(result.error).toBeUndefined();
    expect(result.violations).toEqual([]);
    expect(result.quiesced).toBe(true);
  }, 60_000);

  it('refuses to start on a server that already holds records, since they would not be this run of its own', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-external-'));
    folders.push(folder);
    const port = await freePort();
    await serverProcess(port, join(folder, 'server.sqlite'));
    const scenario = scenarioFrom(`
name: external-twice
devices: 2
duration: 30s
system: { server: { url: "http://127.0.0.1:${port}" }, time_scale: 60 }
workload: { rate: 20/min, mix: { create: 1 } }
`);
    const factory = await loadClient(scenario.system, REPO_ROOT);

    expect((await runScenario(scenario, { seed: 1, client: factory })).verdict).toBe('pass');
    await expect(runScenario(scenario, { seed: 1, client: factory })).rejects.toThrow(/already holds records/);
  }, 60_000);
});
