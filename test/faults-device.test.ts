// Device faults: suspension (no timers, no network, background windows only when granted),
// clock offset and skew, backup and restore of a device's durable state, and a reinstall that wipes it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientFactory, Entity, Fields, SyncClient } from '../src/adapter.ts';
import { Device } from '../src/device/device.ts';
import type { HistoryEvent } from '../src/history/events.ts';
import { History } from '../src/history/history.ts';
import type { RunResult } from '../src/check/verdict.ts';
import type { Scenario } from '../src/scenario/index.ts';
import { DeviceClock } from '../src/sim/clock.ts';
import { createRng } from '../src/sim/rng.ts';
import { Scheduler } from '../src/sim/scheduler.ts';
import { clientEvents, messages, observedReference, ofType, operations, pushResults, pushesSent, readingClock, run, window, withEnv } from './faults-helpers.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** The events strictly between the fault's start and its stop, in history order. */
function eventsDuring(result: RunResult, kind: string): HistoryEvent[] {
  const events = [...result.history.events];
  const start = events.findIndex((event) => event.type === 'fault' && event.spec.kind === kind && event.phase === 'start');
  const stop = events.findIndex((event) => event.type === 'fault' && event.spec.kind === kind && event.phase === 'stop');
  return events.slice(start + 1, stop);
}

function fromDevice(events: readonly HistoryEvent[], deviceId: string): HistoryEvent[] {
  return events.filter((event) => ('process' in event && event.process === deviceId) || (event.type === 'message' && event.link === deviceId));
}

describe('suspend', () => {
  it('fires no timer and runs no code of the app while suspended, not even when a request on the wire times out; on heal the app syncs', async () => {
    const result = await run([
      'name: suspended',
      'devices: 2',
      'duration: 3m',
      'system: { sync_interval: 10s, debounce: 0ms, request_timeout: 10s }',
      'workload: { rate: 30/min }',
      'faults:',
      // slow messages: a request is on the wire when the app is sent to the background
      '  - { at: 0ms, latency: { target: d1, min: 2s, max: 2s } }',
      '  - { at: 61s, for: 1m, suspend: { target: d1 } }',
    ]);
    const { start, stop } = window(result, 'suspend');
    const during = fromDevice(eventsDuring(result, 'suspend'), 'd1');
    // no user call, no client log (the request timing out included), no request sent; only the wire drops what it held
    expect(during.filter((event) => event.type !== 'message')).toEqual([]);
    expect(during.filter((event) => event.type === 'message' && event.fate === 'sent')).toEqual([]);
    expect(during.some((event) => event.type === 'message' && event.fate === 'dropped')).toBe(true);
    // the other device carries on
    expect(operations(result, 'd2').some((op) => op.t > start && op.t < stop)).toBe(true);
    // resumed, the app syncs at once
    const sentOnResume = messages(result, 'd1').filter((m) => m.direction === 'to-server' && m.fate === 'sent' && m.t === stop);
    expect(sentOnResume.length).toBeGreaterThan(0);
    expect(result.verdict).toBe('pass');
  });

  it('syncs in the background windows the OS grants, and in none when it grants none', async () => {
    const suspended = (windows: string) =>
      run([
        'name: background windows',
        'devices: 1',
        'duration: 8m',
        'system: { sync_interval: 30s }',
        'workload: { rate: 6/min }',
        'faults:',
        `  - { at: 1m, for: 6m, suspend: { target: d1, windows: ${windows}, window: 20s } }`,
      ]);
    const synced = (result: RunResult) => {
      const during = fromDevice(eventsDuring(result, 'suspend'), 'd1');
      const pulls = during.filter((event) => event.type === 'message' && event.direction === 'to-server' && event.label === 'GET /v1/pull');
      const answers = during.filter((event) => event.type === 'message' && event.direction === 'to-device' && event.fate === 'delivered');
      return { pulls: pulls.length, answers: answers.length };
    };
    const none = await suspended('0/h');
    expect(synced(none)).toEqual({ pulls: 0, answers: 0 });
    const granted = await suspended('30/h');
    const { pulls, answers } = synced(granted);
    expect(pulls).toBeGreaterThan(0);
    expect(answers).toBeGreaterThan(0);
    // background work happens only inside windows (20s each), never all along: requests come in short bursts
    const sends = fromDevice(eventsDuring(granted, 'suspend'), 'd1')
      .filter((event) => event.type === 'message' && event.fate === 'sent' && event.direction === 'to-server')
      .map((event) => event.t);
    const burstStarts = sends.filter((t, index) => index === 0 || t - sends[index - 1]! > 20_000);
    expect(burstStarts.length).toBeGreaterThan(1);
    for (const t of sends) expect(t - burstStarts.filter((first) => first <= t).at(-1)!).toBeLessThanOrEqual(20_000);
    // a background window is the OS's, not the user's: nobody edits while the app is put away
    expect(fromDevice(eventsDuring(granted, 'suspend'), 'd1').filter((event) => event.type === 'invoke')).toEqual([]);
    expect(granted.verdict).toBe('pass');
  });
});

describe('clock', () => {
  const withClockReadings = async (scenario: Scenario) => withEnv(await observedReference(scenario), readingClock(5_000));

  it('jumps the target clock by the offset at the start, runs it at 1+skew from there, and sets it right at the heal', async () => {
    const result = await run(
      [
        'name: clock',
        'devices: 2',
        'duration: 3m',
        'workload: { rate: 6/min }',
        'faults:',
        '  - { at: 62500ms, for: 1m, clock: { target: d1, offset: -5m, skew: 0.1 } }',
      ],
      { client: withClockReadings },
    );
    const { start, stop } = window(result, 'clock');
    const readings = (deviceId: string) => clientEvents(result, 'clock-reading', deviceId).map((event) => ({ t: event.t, now: event.data?.['now'] }));
    expect(readings('d1').length).toBeGreaterThan(30);
    for (const { t, now } of readings('d2')) expect(now, `d2 at ${t}`).toBe(t);
    for (const { t, now } of readings('d1')) {
      const expected = t >= start && t < stop ? Math.round(start - 300_000 + 1.1 * (t - start)) : t;
      expect(now, `d1 at ${t}`).toBe(expected);
    }
    expect(result.verdict).toBe('pass');
  });

  it('adds up overlapping clock faults, and healing them in start order takes each one away, leaving the clock right', async () => {
    const result = await run(
      [
        'name: two clocks',
        'devices: 1',
        'duration: 3m',
        'workload: { rate: 6/min }',
        'faults:',
        '  - { at: 32500ms, for: 1m, clock: { target: d1, offset: 1m, skew: 0.1 } }',
        '  - { at: 62500ms, for: 1m, clock: { target: d1, offset: 10s, skew: -0.2 } }',
      ],
      { client: withClockReadings },
    );
    const parts = [
      { start: 32_500, stop: 92_500, offsetMs: 60_000, skew: 0.1 },
      { start: 62_500, stop: 122_500, offsetMs: 10_000, skew: -0.2 },
    ];
    const readings = clientEvents(result, 'clock-reading', 'd1');
    expect(readings.filter((event) => event.t > 122_500).length).toBeGreaterThan(5);
    for (const { t, data } of readings) {
      const active = parts.filter((part) => t >= part.start && t < part.stop);
      const expected = t + active.reduce((sum, part) => sum + part.offsetMs + part.skew * (t - part.start), 0);
      expect(data?.['now'], `d1 at ${t}`).toBe(Math.round(expected));
    }
  });
});

describe('backup_restore', () => {
  it('boots the device on an older snapshot, with its stale cursor and stale queue, and the run still converges', async () => {
    const result = await run([
      'name: stale backup',
      'devices: 2',
      'duration: 5m',
      'workload: { rate: 12/min, mix: { create: 1, update: 1 } }',
      'faults:',
      // offline from 30s to 2m30s: the backup of 2m holds changes that are synced by 4m
      '  - { at: 30s, for: 2m, partition: { target: d1, mode: drop } }',
      '  - { at: 4m, backup_restore: { target: d1, backup_every: 1m, age: 2m } }',
    ]);
    const restoredAt = 240_000;
    expect(ofType(result, 'kill', 'd1').map((kill) => kill.t)).toEqual([restoredAt]);
    expect(ofType(result, 'boot', 'd1').map((boot) => boot.t)).toEqual([0, restoredAt]);
    // stale cursor: the restored app pulls from further back than it had got to
    const pulls = clientEvents(result, 'pull-sent', 'd1').map((event) => ({ t: event.t, cursor: event.data?.['cursor'] as number }));
    const reached = Math.max(...pulls.filter((pull) => pull.t < restoredAt).map((pull) => pull.cursor));
    const firstAfter = pulls.find((pull) => pull.t >= restoredAt)!;
    expect(firstAfter.cursor).toBeGreaterThan(0);
    expect(firstAfter.cursor).toBeLessThan(reached);
    // stale queue: changes the server had acknowledged before the restore are pushed again, and answered duplicate
    const acknowledgedBefore = new Set(pushResults(result, 'd1').filter((answer) => answer.t < restoredAt && answer.status === 'applied').map((a) => a.changeId));
    const resent = pushesSent(result, 'd1')
      .filter((push) => push.t >= restoredAt)
      .flatMap((push) => push.changeIds)
      .filter((changeId) => acknowledgedBefore.has(changeId));
    expect(resent.length).toBeGreaterThan(0);
    for (const changeId of resent) {
      expect(pushResults(result, 'd1').filter((answer) => answer.changeId === changeId && answer.t >= restoredAt).map((a) => a.status)).toEqual(['duplicate']);
    }
    expect(result.quiesced).toBe(true);
    expect(result.verdict).toBe('pass');
  });

  it('snapshots and restores the database and the data folder, nothing else, and the next boot sees the old state', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-faults-device-'));
    cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
    const scheduler = new Scheduler((error) => {
      throw error;
    });
    const seen: { rows: string[]; file: string }[] = [];
    const factory: ClientFactory = (env) => {
      env.db.exec('CREATE TABLE IF NOT EXISTS notes (body TEXT NOT NULL)');
      const path = join(env.dataDir, 'notes.txt');
      let file = '';
      try {
        file = readFileSync(path, 'utf8');
      } catch {
        // a first boot
      }
      seen.push({ rows: env.db.prepare('SELECT body FROM notes ORDER BY rowid').pluck().all() as string[], file });
      const write = async (body: string) => {
        env.db.prepare('INSERT INTO notes (body) VALUES (?)').run(body);
        writeFileSync(path, file = `${file}${body};`);
        return body;
      };
      return { create: (_entity: Entity, fields: Fields) => write(String(fields['body'])), list: async () => [], sync: async () => {} } as unknown as SyncClient;
    };
    const device = new Device({
      deviceId: 'd1',
      folder,
      scheduler,
      clock: new DeviceClock(),
      rng: createRng(1, 'client:d1'),
      history: new History(),
      fetch: () => Promise.reject(new TypeError('fetch failed')),
      factory,
    });
    cleanups.push(() => device.close());
    await device.boot();
    await device.client.create('note', { body: 'one' });
    const backup = device.snapshot();
    await device.client.create('note', { body: 'two' });
    expect(() => device.restore(backup)).toThrow(/must be dead/);
    device.kill();
    device.restore(backup);
    await device.boot();
    expect(seen).toEqual([
      { rows: [], file: '' },
      { rows: ['one'], file: 'one;' },
    ]);
  });
});

describe('reinstall', () => {
  const reinstalled = (allow: string) => [
    'name: reinstalled offline',
    'devices: 2',
    'duration: 5m',
    'workload: { rate: 12/min, mix: { create: 1, update: 1 } }',
    'faults:',
    // d1 is reinstalled at 3m while offline since 1m: what it saved from 1m on never reached the server
    '  - { at: 1m, for: 3m, partition: { target: d1, mode: drop } }',
    '  - { at: 3m, reinstall: { target: d1 } }',
    `allow: ${allow}`,
  ];

  it('boots the app on an empty store that pulls everything the server has, and reports the unsynced writes as lost to the reinstall', async () => {
    const result = await run(reinstalled('[overwritten]'));
    const reinstalledAt = 180_000;
    expect(ofType(result, 'kill', 'd1').map((kill) => kill.t)).toEqual([reinstalledAt]);
    expect(ofType(result, 'restore', 'd1')).toEqual([{ t: reinstalledAt, type: 'restore', process: 'd1', snapshotAtMs: 0, reinstall: true }]);
    const boot = ofType(result, 'read', 'd1').find((read) => read.at === 'boot' && read.t === reinstalledAt);
    expect(boot?.records).toEqual([]);
    // the fresh install pulls from the start
    const firstPull = clientEvents(result, 'pull-sent', 'd1').find((event) => event.t >= reinstalledAt);
    expect(firstPull?.data?.['cursor']).toBe(0);
    // only d1's writes made offline before the reinstall are lost, each as `reinstall`
    expect(result.violations.length).toBeGreaterThan(0);
    for (const violation of result.violations) {
      expect(violation.kind, violation.summary).toBe('reinstall');
      const [write] = violation.writes ?? [];
      expect(write?.device).toBe('d1');
      expect(write!.atMs).toBeGreaterThanOrEqual(60_000);
      expect(write!.atMs).toBeLessThan(reinstalledAt);
    }
    expect(result.quiesced).toBe(true);
  });

  it('passes when the scenario accepts writes lost to a reinstall', async () => {
    const result = await run(reinstalled('[overwritten, reinstall]'));
    expect(result.violations).toEqual([]);
    expect(result.verdict).toBe('pass');
  });
});
