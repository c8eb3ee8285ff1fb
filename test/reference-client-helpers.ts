// A hand-built DeviceEnv for the reference client: an in-memory database, a clock and timers the
// test moves by hand, a fetch straight into a reference server that the test can cut or answer
// itself, and the client's logged events. Databases opened here are closed after each test.
import Database from 'better-sqlite3';
import { afterEach } from 'vitest';
import type { DeviceEnv, ServerRecord, SyncClient, SyncServer, VisibleRecord } from '../src/adapter.ts';
import { referenceClient, type ReferenceClientSettings } from '../src/reference/client/client.ts';
import { createRng } from '../src/sim/rng.ts';

export const SERVER_URL = 'http://sync-server.test';
export const SYNC_INTERVAL_MS = 30_000;
export const START_MS = 1_700_000_000_000;

/** The harness's settings: no debounce (writes wait for the timer or sync()), so a test decides when a sync runs. */
export const TEST_SETTINGS: ReferenceClientSettings = {
  serverUrl: SERVER_URL,
  batchSize: 10,
  pullLimit: 2,
  syncIntervalMs: SYNC_INTERVAL_MS,
  debounceMs: Number.POSITIVE_INFINITY,
  retry: { baseMs: 1_000, maxMs: 60_000, budgetPerHour: 20 },
  ordering: 'dependency',
  conflict: 'server-wins',
  pokes: false,
};

const openDbs: Database.Database[] = [];
export function newDb(): Database.Database {
  const db = new Database(':memory:');
  openDbs.push(db);
  return db;
}
/** The same database as the next app process opens it: a new connection, without the last one's TEMP tables. */
export function reopened(db: Database.Database): Database.Database {
  const next = new Database(db.serialize());
  openDbs.push(next);
  return next;
}

afterEach(() => {
  for (const db of openDbs.splice(0)) db.close();
});

export interface LoggedEvent {
  event: string;
  data?: Record<string, unknown>;
}

export interface Timer {
  fn: () => void;
  ms: number;
  /** When the timer is due on the device's clock. */
  atMs: number;
  cancelled: boolean;
  fired: boolean;
}

export interface TestDevice {
  client: SyncClient;
  db: Database.Database;
  events: LoggedEvent[];
  timers: Timer[];
  /** Requests as the device sent them, e.g. `POST /v1/push`. */
  requests: string[];
  /** `down` makes every fetch reject as undici does when the network fails. */
  network: 'up' | 'down';
  /** Runs before the server sees a request; may answer instead of the server. */
  intercept?: (request: Request) => Promise<Response | undefined> | Response | undefined;
  /** The device's clock, ms: what `env.now()` answers; `advance` moves it. */
  nowMs: number;
}

/** How the world looks to the device when it boots. */
export interface BootState {
  network?: TestDevice['network'];
  nowMs?: number;
}

export async function bootDevice(
  server: SyncServer,
  deviceId: string,
  db: Database.Database = newDb(),
  settings: Partial<ReferenceClientSettings> = {},
  state: BootState = {},
): Promise<TestDevice> {
  const rng = createRng(1, `client:${deviceId}`);
  const device: Omit<TestDevice, 'client'> = {
    db,
    events: [],
    timers: [],
    requests: [],
    network: state.network ?? 'up',
    nowMs: state.nowMs ?? START_MS,
  };
  const fetchFn: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    device.requests.push(`${request.method} ${new URL(request.url).pathname}`);
    if (device.network === 'down') throw new TypeError('fetch failed');
    const answer = await (device as TestDevice).intercept?.(request);
    return answer ?? server.handle(request);
  };
  const env: DeviceEnv = {
    deviceId,
    db,
    dataDir: `/nonexistent/${deviceId}`,
    now: () => device.nowMs,
    fetch: fetchFn,
    setTimeout: (fn, ms) => {
      const timer: Timer = { fn, ms, atMs: device.nowMs + ms, cancelled: false, fired: false };
      device.timers.push(timer);
      return () => {
        timer.cancelled = true;
      };
    },
    random: rng.next,
    log: (event, data) => device.events.push({ event, data }),
  };
  const client = await referenceClient({ ...TEST_SETTINGS, ...settings })(env);
  await client.sync(); // runs after the sync the client starts on launch
  return Object.assign(device, { client });
}

/** Moves the device's clock by `ms`, firing due timers in order and letting each one's async work finish. */
export async function advance(device: TestDevice, ms: number): Promise<void> {
  const endMs = device.nowMs + ms;
  for (;;) {
    const due = device.timers.filter((timer) => !timer.cancelled && !timer.fired && timer.atMs <= endMs);
    const next = due.reduce<Timer | undefined>((first, timer) => (first && first.atMs <= timer.atMs ? first : timer), undefined);
    if (!next) break;
    device.nowMs = Math.max(device.nowMs, next.atMs);
    next.fired = true;
    next.fn();
    await new Promise((resolve) => setImmediate(resolve));
  }
  device.nowMs = endMs;
}

/** Timers still waiting to fire, as `ms` from when each was set. */
export function armedTimers(device: TestDevice): number[] {
  return device.timers.filter((timer) => !timer.cancelled && !timer.fired).map((timer) => timer.ms);
}

export function byId(records: readonly VisibleRecord[], id: string): VisibleRecord | undefined {
  return records.find((record) => record.id === id);
}

export async function serverRecord(server: SyncServer, id: string): Promise<ServerRecord | undefined> {
  return (await server.records()).find((record) => record.id === id);
}

export function tableCount(db: Database.Database, table: 'records' | 'pending_changes' | 'conflicts'): number {
  return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
}

export function eventsNamed(device: TestDevice, event: string): LoggedEvent[] {
  return device.events.filter((logged) => logged.event === event);
}
