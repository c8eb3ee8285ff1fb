import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { EventLog } from '../src/history/events.ts';
import { startHttpServer, type RunningHttpServer } from '../src/serve/http-server.ts';
import { loadClient } from '../src/run/client-loader.ts';
import { runScenario } from '../src/run/run.ts';
import type { Scenario } from '../src/scenario/index.ts';
import { REPO_ROOT } from './cli-helpers.ts';
import { scenarioFrom } from './scenario-helpers.ts';

/** Two devices that poll only every ten minutes: any pull sooner than that is a poke's doing. */
const SLOW_POLLING = `
name: pokes-short
devices: 2
duration: 3m
resume: 0ms
system: { pokes: true, sync_interval: 10m, debounce: 1s }
workload: { rate: 4/min, mix: { create: 0.5, update: 0.5 } }
allow: [overwritten]
`;

async function run(scenario: Scenario, seed = 1) {
  const factory = await loadClient(scenario.system, REPO_ROOT);
  return runScenario(scenario, { seed, client: factory });
}

function clientEvents(events: EventLog, device: string, name: string): number[] {
  return [...events].flatMap((event) => (event.type === 'client' && event.process === device && event.event === name ? [event.t] : []));
}

/** When each of `device`'s pulls reached the server. */
function pullsOf(events: EventLog, device: string): number[] {
  return [...events].flatMap((event) =>
    event.type === 'message' && event.link === device && event.fate === 'delivered' && event.label === 'GET /v1/pull' ? [event.t] : [],
  );
}

/** How long after each of d1's commits in the chaos phase d2's next pull reached the server, ms. */
function pullDelaysAfterCommits(log: EventLog): number[] {
  const events = [...log];
  const chaosEndMs = events.find((event) => event.type === 'phase' && event.phase === 'quiesce')?.t ?? Infinity;
  const pulls = pullsOf(events, 'd2');
  return events.flatMap((event) => {
    if (event.type !== 'commit' || event.process !== 'd1' || event.t >= chaosEndMs) return [];
    const next = pulls.find((t) => t >= event.t);
    return next === undefined ? [] : [next - event.t];
  });
}

describe('push pokes in simulation', () => {
  it('replays the same event log for the same seed, and keeps mock-socket off the real timers', async () => {
    const scenario = scenarioFrom(SLOW_POLLING);
    const realSetTimeout = globalThis.setTimeout;
    const fromMockSocket: string[] = [];
    const watched = ((...args: Parameters<typeof setTimeout>) => {
      if ((new Error().stack ?? '').includes('mock-socket')) fromMockSocket.push('setTimeout');
      return realSetTimeout(...args);
    }) as typeof setTimeout;
    globalThis.setTimeout = watched;
    try {
      const first = await run(scenario, 7);
      const second = await run(scenario, 7);

      expect(first.verdict).toBe('pass');
      expect(second.eventLogHash).toBe(first.eventLogHash);
      expect(clientEvents(first.history.events, 'd2', 'poke').length).toBeGreaterThan(0);
      expect(fromMockSocket).toEqual([]);
      expect(globalThis.setTimeout).toBe(watched);
    } finally {
      globalThis.setTimeout = realSetTimeout;
    }
  });

  it('makes another device pull within seconds of a push, long before its next polling tick', async () => {
    const withPokes = pullDelaysAfterCommits((await run(scenarioFrom(SLOW_POLLING))).history.events);
    const withoutPokes = pullDelaysAfterCommits((await run(scenarioFrom(SLOW_POLLING.replace('pokes: true', 'pokes: false')))).history.events);

    expect(withPokes.length).toBeGreaterThan(5);
    expect(Math.max(...withPokes)).toBeLessThan(2_000);
    expect(Math.max(...withoutPokes)).toBeGreaterThan(10_000);
  });

  it('drops the socket in a partition, falls back to polling, and reconnects with backoff after healing', async () => {
    const scenario = scenarioFrom(`${SLOW_POLLING.replace('sync_interval: 10m', 'sync_interval: 20s')}
faults:
  - { at: 30s, for: 90s, partition: { target: d1, mode: drop } }
`);
    const { history, verdict } = await run(scenario);
    const events = [...history.events];
    const [startMs, endMs] = [30_000, 120_000];

    expect(verdict).toBe('pass');
    const closes = events.filter((event) => event.type === 'client' && event.process === 'd1' && event.event === 'socket-closed');
    expect(closes.filter((event) => event.t >= startMs && event.t < endMs).length).toBeGreaterThan(1);
    expect(closes.every((event) => event.type === 'client' && event.data?.code === 1006)).toBe(true);
    const delays = closes.map((event) => (event.type === 'client' ? Number(event.data?.retryInMs) : NaN));
    expect(delays.at(-1)).toBeGreaterThan(delays[0] ?? Infinity);
    expect(clientEvents(events, 'd1', 'sync-failed').filter((t) => t >= startMs && t < endMs).length).toBeGreaterThan(0);
    const opens = clientEvents(events, 'd1', 'socket-open');
    expect(opens.filter((t) => t >= startMs && t < endMs)).toEqual([]);
    expect(opens.some((t) => t >= endMs)).toBe(true);
    expect(clientEvents(events, 'd1', 'poke').some((t) => t >= endMs)).toBe(true);
  });

  it('cuts a killed app\'s socket and opens a new one when it boots again', async () => {
    const scenario = scenarioFrom(`${SLOW_POLLING}
faults:
  - { at: 1m, kill: { target: d2, when: any, restart_after: 10s } }
`);
    const { history, verdict } = await run(scenario);

    expect(verdict).toBe('pass');
    const kill = [...history.events].find((event) => event.type === 'kill' && event.process === 'd2');
    expect(kill).toBeDefined();
    expect(clientEvents(history.events, 'd2', 'socket-open').filter((t) => t > (kill?.t ?? Infinity)).length).toBe(1);
    expect(clientEvents(history.events, 'd2', 'poke').some((t) => t > (kill?.t ?? Infinity))).toBe(true);
  });
});

describe('push pokes over HTTP', () => {
  let server: RunningHttpServer | undefined;
  let folder: string | undefined;
  afterEach(async () => {
    await server?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
    server = undefined;
    folder = undefined;
  });

  async function serve(): Promise<RunningHttpServer> {
    folder = mkdtempSync(join(tmpdir(), 'sync-chaos-pokes-'));
    server = await startHttpServer({ port: 0, dbPath: join(folder, 'server.sqlite'), tokens: new Map([['d1', 'secret-1'], ['d2', 'secret-2']]) });
    return server;
  }

  function socketAs(base: string, token: string): WebSocket {
    return new WebSocket(`${base.replace('http:', 'ws:')}/v1/pokes`, { headers: { authorization: `Bearer ${token}` } });
  }

  it('pokes a device over a real ws socket when another device pushes', async () => {
    const { url } = await serve();
    const d2 = socketAs(url, 'secret-2');
    await new Promise((resolve, reject) => d2.once('open', resolve).once('error', reject));
    const poke = new Promise<string>((resolve) => d2.once('message', (data) => resolve(data.toString())));

    const change = { changeId: 'c1', entity: 'folder', id: 'f1', changeType: 'create', fields: { name: 't:d1:w1' }, baseVersion: 0, clientTime: 0 };
    const push = await fetch(`${url}/v1/push`, {
      method: 'POST',
      headers: { authorization: 'Bearer secret-1', 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: 'd1', changes: [change] }),
    });

    expect(push.status).toBe(200);
    expect(JSON.parse(await poke)).toEqual({ type: 'poke', cursor: 1 });
    d2.terminate();
  });

  it('refuses a socket with a wrong token (401) and one naming another device (403)', async () => {
    const { url } = await serve();
    const statusOf = (socket: WebSocket) =>
      new Promise<number>((resolve) => socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0)).once('error', () => {}));

    expect(await statusOf(socketAs(url, 'wrong'))).toBe(401);
    const impostor = new WebSocket(`${url.replace('http:', 'ws:')}/v1/pokes?device=d1`, { headers: { authorization: 'Bearer secret-2' } });
    expect(await statusOf(impostor)).toBe(403);
  });

  it('runs the reference client with pokes over real sockets, time scaled', async () => {
    const scenario = scenarioFrom(SLOW_POLLING.replace('system: {', 'system: { transport: http, time_scale: 60,').replace('duration: 3m', 'duration: 1m'));
    const { verdict, history, violations } = await run(scenario);

    expect(violations).toEqual([]);
    expect(verdict).toBe('pass');
    expect(clientEvents(history.events, 'd1', 'socket-open').length + clientEvents(history.events, 'd2', 'socket-open').length).toBeGreaterThanOrEqual(2);
    expect(clientEvents(history.events, 'd1', 'poke').length + clientEvents(history.events, 'd2', 'poke').length).toBeGreaterThan(0);
  }, 20_000);
});
