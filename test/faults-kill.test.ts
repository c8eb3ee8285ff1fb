// The kill fault: the app process dies between two SQLite statements or at an await; its open
// transaction rolls back, its timers and callbacks never fire, a request already on the wire may
// still reach the server, and the device boots a fresh client from its database afterwards.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientFactory, SyncClient } from '../src/adapter.ts';
import { Device } from '../src/device/device.ts';
import { ProcessKilledError } from '../src/device/fenced-db.ts';
import { History } from '../src/history/history.ts';
import { referenceClient } from '../src/reference/client/client.ts';
import { createReferenceServer } from '../src/reference/server/server.ts';
import { defaultClientSettings } from '../src/run/client-loader.ts';
import { createSimFetch } from '../src/transport/simulated/sim-fetch.ts';
import { DeviceClock } from '../src/sim/clock.ts';
import { Network } from '../src/sim/network.ts';
import { createRng } from '../src/sim/rng.ts';
import { Scheduler } from '../src/sim/scheduler.ts';
import twoTransactions from '../fixtures/clients/two-transactions.ts';
import type { MessageLogEvent } from '../src/history/events.ts';
import { ofType, operations, run } from './faults-helpers.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** One real device (fenced store, simulated network, reference server) driven by hand. */
function handBuiltDevice(factory: ClientFactory, latencyMs = { min: 20, max: 200 }) {
  const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-faults-kill-'));
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  const errors: unknown[] = [];
  const scheduler = new Scheduler((error) => errors.push(error));
  const history = new History();
  const serverDb = new Database(':memory:');
  cleanups.push(() => serverDb.close());
  const server = createReferenceServer(serverDb);
  const network = new Network(scheduler, createRng(1, 'network'), { latencyMsMin: latencyMs.min, latencyMsMax: latencyMs.max }, (event) =>
    history.append({ t: scheduler.nowMs, type: 'message', ...event }),
  );
  const fetch = createSimFetch({ scheduler, network, server, link: 'd1', requestTimeoutMs: 30_000, onServerError: (error) => errors.push(error) });
  const device = new Device({ deviceId: 'd1', folder, scheduler, clock: new DeviceClock(), rng: createRng(1, 'client:d1'), history, fetch, factory });
  cleanups.push(() => device.close());

  /** What the next boot would find in the store, read by a new connection: whether the token's record and its queue entry are there. */
  const stored = (token: string) => {
    const reader = new Database(device.snapshot().database, { readonly: true });
    try {
      const count = (sql: string) => (reader.prepare(sql).pluck().get(`%${token}%`) as number) > 0;
      return {
        record: count('SELECT COUNT(*) FROM records WHERE fields LIKE ?'),
        queued: count('SELECT COUNT(*) FROM pending_changes WHERE payload LIKE ?'),
      };
    } finally {
      reader.close();
    }
  };
  const onServer = async (token: string) => (await server.records()).some((record) => JSON.stringify(record.fields).includes(token));
  const onDevice = async (token: string) => (await device.client.list()).some((record) => JSON.stringify(record.fields).includes(token));
  /** Lets the launch sync and any timer due within a minute finish. */
  const settle = () => scheduler.runUntil(scheduler.nowMs + 60_000);
  return { device, scheduler, errors, history, stored, onServer, onDevice, settle };
}

interface KillOutcome {
  statement: number;
  stored: { record: boolean; queued: boolean };
  /** After a reboot and a sync: whether the device shows the record, and whether the server has it. */
  device: boolean;
  server: boolean;
}

/** Kills a create at its 1st, 2nd, … statement until one create survives; reboots and syncs after each. */
async function killAtEveryStatementOfACreate(factory: ClientFactory): Promise<{ outcomes: KillOutcome[]; statements: number }> {
  const world = handBuiltDevice(factory);
  await world.device.boot();
  await world.settle();
  const outcomes: KillOutcome[] = [];
  for (let statement = 1; ; statement++) {
    const token = `t:d1:w${statement}`;
    world.device.killAtStatement(statement);
    let killed = false;
    try {
      await world.device.client.create('folder', { name: token });
    } catch (error) {
      expect(error).toBeInstanceOf(ProcessKilledError);
      killed = true;
    }
    expect(world.device.running).toBe(!killed);
    if (!killed) {
      world.device.disarm();
      await world.settle();
      expect(world.stored(token)).toEqual({ record: true, queued: false });
      expect(await world.onServer(token), 'a create that survived reaches the server').toBe(true);
      expect(world.errors).toEqual([]);
      return { outcomes, statements: statement - 1 };
    }
    const stored = world.stored(token);
    await world.device.boot();
    await world.settle();
    outcomes.push({ statement, stored, device: await world.onDevice(token), server: await world.onServer(token) });
    if (statement > 50) throw new Error('a create that never ends');
  }
}

describe('a kill between two SQLite statements of a create', () => {
  it('loses the change of a client that writes the record and its queue entry in two transactions', async () => {
    const { outcomes, statements } = await killAtEveryStatementOfACreate(twoTransactions.factory);
    expect(statements).toBeGreaterThanOrEqual(2);
    // killed before the record insert: nothing happened
    expect(outcomes[0]).toEqual({ statement: 1, stored: { record: false, queued: false }, device: false, server: false });
    // killed after the record insert, before the queue insert: the record is on the device, the change is
    // not queued, and after a reboot and a sync the device shows a record the server never gets
    for (const outcome of outcomes.slice(1)) {
      expect(outcome).toEqual({ statement: outcome.statement, stored: { record: true, queued: false }, device: true, server: false });
    }
  });

  it('leaves both the record and its queue entry, or neither, with the reference client, at every statement', async () => {
    const { outcomes, statements } = await killAtEveryStatementOfACreate(referenceClient(defaultClientSettings()));
    expect(statements, 'the create runs several statements, so a kill can fall between them').toBeGreaterThanOrEqual(2);
    expect(outcomes).toHaveLength(statements);
    for (const outcome of outcomes) {
      expect(outcome.stored.record, `kill at statement ${outcome.statement}`).toBe(outcome.stored.queued);
      // whatever the device kept after the kill, the server ends up with too
      expect(outcome.server, `kill at statement ${outcome.statement}`).toBe(outcome.device);
      expect(outcome.device).toBe(outcome.stored.record);
    }
  });
});

describe('a killed process', () => {
  it('never fires its timers nor hears its answers, while the request it had on the wire still reaches the server', async () => {
    const fired: number[] = [];
    const heard: number[] = [];
    let boots = 0;
    const probe: ClientFactory = (env) => {
      const boot = ++boots;
      env.setTimeout(() => fired.push(boot), 1_000);
      env.fetch('http://sync-server.sim/v1/pull?cursor=0').then(
        () => heard.push(boot),
        () => heard.push(boot),
      );
      return { list: async () => [], sync: async () => {} } as unknown as SyncClient;
    };
    const world = handBuiltDevice(probe, { min: 300, max: 300 });
    await world.device.boot();
    world.scheduler.at(100, () => world.device.kill());
    world.scheduler.at(2_000, () => void world.device.boot());
    await world.scheduler.runUntil(5_000);
    expect(boots).toBe(2);
    expect(fired).toEqual([2]);
    expect(heard).toEqual([2]);
    const events = [...world.history.events];
    expect(events.filter((event) => event.type === 'kill').map((event) => event.t)).toEqual([100]);
    // the first boot's request arrives at 300 ms, after the kill, and the server answers it: nobody hears the answer
    const firstBoot = events.filter((event): event is MessageLogEvent => event.type === 'message' && event.t < 2_000);
    expect(firstBoot.map(({ t, fate, direction }) => ({ t, fate, direction }))).toEqual([
      { t: 0, fate: 'sent', direction: 'to-server' },
      { t: 300, fate: 'delivered', direction: 'to-server' },
      { t: 300, fate: 'sent', direction: 'to-device' },
      { t: 600, fate: 'delivered', direction: 'to-device' },
    ]);
    expect(world.errors).toEqual([]);
  });
});

describe('a kill fault in a run', () => {
  it('during-write kills the app inside the user call and records the call as info, then boots after restart_after', async () => {
    const result = await run([
      'name: kill during write',
      'devices: 1',
      'duration: 2m',
      'workload: { rate: 12/min, mix: { create: 1, update: 1 } }',
      'faults:',
      '  - { at: 20s, kill: { target: d1, when: during-write, restart_after: 15s } }',
    ]);
    const kills = ofType(result, 'kill', 'd1');
    expect(kills).toHaveLength(1);
    const kill = kills[0]!;
    const ops = operations(result, 'd1');
    // the kill strikes inside the first write invoked after the fault started, at the same instant
    const struck = ops.find((op) => op.type === 'invoke' && op.t >= 20_000 && op.f !== 'refresh')!;
    expect(struck.t).toBe(kill.t);
    const outcomes = ops.filter((op) => op.op === struck.op && op.type !== 'invoke');
    expect(outcomes).toEqual([expect.objectContaining({ type: 'info', t: kill.t, op: struck.op, f: struck.f })]);
    const boots = ofType(result, 'boot', 'd1').map((boot) => boot.t);
    expect(boots).toEqual([0, kill.t + 15_000]);
    // no call is made into the dead app
    expect(ops.filter((op) => op.type === 'invoke' && op.t > kill.t && op.t < kill.t + 15_000)).toEqual([]);
    expect(result.verdict).toBe('pass');
  });

  it('silences the dead process: no timer, answer or log of it between the kill and the reboot, while its request on the wire still reaches the server', async () => {
    const result = await run(
      [
        'name: kill during sync',
        'devices: 1',
        'duration: 2m',
        'system: { sync_interval: 10s }',
        'workload: { rate: 12/min }',
        'faults:',
        '  - { at: 0ms, latency: { target: d1, min: 2s, max: 2s } }',
        '  - { at: 30s, kill: { target: d1, when: during-sync, restart_after: 40s } }',
      ],
      // with this seed the kill strikes at an await, while a request is on the wire
      { seed: 1 },
    );
    const events = [...result.history.events];
    const killAt = events.findIndex((event) => event.type === 'kill' && event.process === 'd1');
    const bootAt = events.findIndex((event, index) => index > killAt && event.type === 'boot' && event.process === 'd1');
    const kill = events[killAt]!;
    expect(events[bootAt]!.t).toBe(kill.t + 40_000);
    const whileDead = events.slice(killAt + 1, bootAt);
    // the dead process logs nothing, sends nothing and fires none of its timers (a 10s sync timer among them)
    expect(whileDead.filter((event) => event.type === 'client' || event.type === 'boot')).toEqual([]);
    const d1 = whileDead.filter((event) => event.type === 'message' && event.link === 'd1') as MessageLogEvent[];
    expect(d1.filter((m) => m.fate === 'sent' && m.direction === 'to-server')).toEqual([]);
    // but what it had put on the wire still arrives, and the server still answers it
    const before = events.slice(0, killAt).filter((event): event is MessageLogEvent => event.type === 'message' && event.link === 'd1');
    const onTheWire = before.filter(
      (m) => m.fate === 'sent' && m.direction === 'to-server' && !before.some((other) => other.messageId === m.messageId && other.fate !== 'sent'),
    );
    expect(onTheWire.length).toBeGreaterThan(0);
    for (const request of onTheWire) expect(d1).toContainEqual(expect.objectContaining({ messageId: request.messageId, fate: 'delivered' }));
    expect(d1.some((m) => m.direction === 'to-device' && m.fate === 'sent')).toBe(true);
    expect(result.verdict).toBe('pass');
  });

  it('at any point strikes once, and the app boots restart_after later', async () => {
    for (const seed of [1, 2, 3, 4]) {
      const result = await run(
        [
          'name: kill anywhere',
          'devices: 2',
          'duration: 3m',
          'workload: { rate: 12/min }',
          'faults:',
          '  - { at: 1m, kill: { target: d2, restart_after: 5s } }',
        ],
        { seed },
      );
      expect(ofType(result, 'kill', 'd1')).toEqual([]);
      const kills = ofType(result, 'kill', 'd2');
      expect(kills, `seed ${seed}`).toHaveLength(1);
      // at an await at once, or at one of the next 30 statements, or at an await a minute later at the latest
      expect(kills[0]!.t).toBeGreaterThanOrEqual(60_000);
      expect(kills[0]!.t).toBeLessThanOrEqual(120_000);
      expect(ofType(result, 'boot', 'd2').map((boot) => boot.t)).toEqual([0, kills[0]!.t + 5_000]);
      expect(result.verdict, `seed ${seed}`).toBe('pass');
    }
  });

  it.each([
    [
      'a during-write kill armed when another kill strikes',
      ['  - { at: 10s, kill: { target: d1, when: during-write, restart_after: 5s } }', '  - { at: 12s, kill: { target: d1, when: idle, restart_after: 6s } }'],
    ],
    [
      'a during-sync kill waiting when a backup restore reboots the app',
      [
        '  - { at: 10s, kill: { target: d1, when: during-sync, restart_after: 5s } }',
        '  - { at: 1m, backup_restore: { target: d1, backup_every: 30s, age: 30s } }',
      ],
    ],
    [
      'two kills whose reboots both come while the app is down',
      ['  - { at: 10s, kill: { target: d1, when: during-write, restart_after: 5s } }', '  - { at: 12s, kill: { target: d1, when: idle, restart_after: 6s } }'],
      'system: { sync_interval: 30s }',
    ],
  ])('overlapping with another death (%s) leaves one app process at a time, and a running app at the end', async (_, faults, system = 'system: { sync_interval: 10m, debounce: 10m }') => {
    const result = await run([
      'name: overlapping deaths',
      'devices: 1',
      'duration: 3m',
      system,
      'workload: { rate: 6/min, mix: { create: 1, update: 1 } }',
      'faults:',
      ...faults,
    ]);
    // boots and kills alternate: a device never runs two app processes at once
    const lifecycle = [...result.history.events].filter((event) => event.type === 'boot' || event.type === 'kill').map((event) => event.type);
    expect(lifecycle.length).toBeGreaterThan(2);
    lifecycle.forEach((type, index) => expect(type, `lifecycle ${lifecycle.join(' ')}`).toBe(index % 2 === 0 ? 'boot' : 'kill'));
    expect(lifecycle.at(-1)).toBe('boot');
    expect(result.quiesced).toBe(true);
    expect(result.verdict).toBe('pass');
  });
});
