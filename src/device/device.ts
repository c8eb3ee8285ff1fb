// A simulated device: its persistent SQLite store and data folder, its drifting clock, and
// the app process booted on them by calling the client factory. Everything the client gets
// (time, timers, randomness, network) comes from the simulation, never from the real world.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientFactory, DeviceEnv, SyncClient } from '../adapter.ts';
import type { History } from '../history/history.ts';
import type { DeviceClock } from '../sim/clock.ts';
import type { Rng } from '../sim/rng.ts';
import type { Scheduler } from '../sim/scheduler.ts';

export interface DeviceSettings {
  deviceId: string;
  /** The device's own folder: holds its database and its `dataDir`. */
  folder: string;
  scheduler: Scheduler;
  clock: DeviceClock;
  /** The seeded stream handed to the client as `env.random`. */
  rng: Rng;
  history: History;
  fetch: typeof fetch;
  factory: ClientFactory;
}

export class Device {
  readonly db: Database.Database;
  private clientValue: SyncClient | undefined;

  constructor(private readonly settings: DeviceSettings) {
    mkdirSync(join(settings.folder, 'data'), { recursive: true });
    this.db = openStore(join(settings.folder, 'device.sqlite'));
  }

  get id(): string {
    return this.settings.deviceId;
  }

  /** The app as it runs now; a device is always booted before anyone asks. */
  get client(): SyncClient {
    if (!this.clientValue) throw new Error(`device ${this.id} has not booted`);
    return this.clientValue;
  }

  /** Starts the app: a fresh client from the factory over the device's durable state. */
  async boot(): Promise<void> {
    const { scheduler, history, deviceId } = this.settings;
    history.append({ t: scheduler.nowMs, type: 'boot', process: deviceId });
    this.clientValue = await this.settings.factory(this.env());
  }

  close(): void {
    this.db.close();
  }

  private env(): DeviceEnv {
    const { deviceId, folder, scheduler, clock, rng, history, fetch } = this.settings;
    return {
      deviceId,
      db: this.db,
      dataDir: join(folder, 'data'),
      now: () => clock.read(scheduler.nowMs),
      fetch,
      setTimeout: (fn, ms) => scheduler.after(ms, fn),
      random: rng.next,
      log: (event, data) => history.append({ t: scheduler.nowMs, type: 'client', process: deviceId, event, ...(data && { data }) }),
    };
  }
}

/** Opens a store as a phone app would keep it: WAL, and no fsync, since only the app dies, never the OS. */
export function openStore(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  return db;
}
