// A simulated device: its persistent SQLite store (held in memory: only the app dies, never the
// OS, so what a process committed is what the next one finds) and data folder, its drifting clock, and the
// app process booted on them by calling the client factory. The process can be killed (now, or
// at its n-th next SQLite statement), suspended, and restored from an old backup; whatever it
// left running after death is fenced: its database handle, timers and network are inert.
import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { ClientFactory, DeviceEnv, DeviceSocket, SyncClient } from '../adapter.ts';
import type { History } from '../history/history.ts';
import type { DeviceClock } from '../sim/clock.ts';
import type { Rng } from '../sim/rng.ts';
import type { Cancel, Scheduler } from '../sim/scheduler.ts';
import { fenceDatabase, ProcessKilledError, type FencedDatabase } from './fenced-db.ts';
import type { AppContext, ProcessContexts } from './process-context.ts';

export interface DeviceSettings {
  deviceId: string;
  /** The device's own folder: holds its `dataDir`. */
  folder: string;
  scheduler: Scheduler;
  clock: DeviceClock;
  /** The seeded stream handed to the client as `env.random`. */
  rng: Rng;
  history: History;
  fetch: typeof fetch;
  /**
   * Opens a socket over the device's link (when the run has push pokes); `hear` runs its event
   * handlers as the process can; `cut` closes it when the process dies.
   */
  openSocket?: (path: string, hear: (handler: () => void) => void) => DeviceSocket & { cut(): void };
  /** Opens one boot's proxy to the server for connections the app makes itself (`env.serverUrl`), over real sockets. */
  openProxy?: () => Promise<{ url: string; cut(): void }>;
  /** The app installed when the device is made. */
  factory: ClientFactory;
  /** With virtual globals: where the app's code runs, so global timers and sockets know their process. */
  contexts?: ProcessContexts;
}

/** A device's durable state at one moment: what a backup holds. */
export interface DeviceSnapshot {
  takenAtMs: number;
  database: Buffer;
  dataFiles: Map<string, Buffer>;
}

/** One boot of the app: everything in it dies together. */
interface AppProcess {
  fence: FencedDatabase;
  client: SyncClient | undefined;
  timers: Set<Cancel>;
  sockets: Set<{ cut(): void }>;
  requestsInFlight: number;
  context: AppContext;
}

export class Device {
  private db: Database.Database;
  private process: AppProcess | undefined;
  private suspendedValue = false;
  private backgroundHolds = 0;
  private readonly deferred: (() => void)[] = [];
  private readonly deathListeners: (() => void)[] = [];
  private killOnNextWrite: number | undefined;
  private factory: ClientFactory;
  /** The case is over: a death is only the fencing of what the app left running. */
  private closed = false;

  constructor(private readonly settings: DeviceSettings) {
    this.factory = settings.factory;
    mkdirSync(this.dataDir, { recursive: true });
    this.db = openStore();
  }

  get id(): string {
    return this.settings.deviceId;
  }

  get clock(): DeviceClock {
    return this.settings.clock;
  }

  /** Whether the app is running: booted and not killed since. */
  get running(): boolean {
    return this.process?.client !== undefined && !this.process.fence.dead;
  }

  /** The app as it runs now. */
  get client(): SyncClient {
    const client = this.running ? this.process?.client : undefined;
    if (!client) throw new Error(`device ${this.id} is not running`);
    return client;
  }

  get suspended(): boolean {
    return this.suspendedValue;
  }

  /** The user put the app away: it may run in OS-granted windows, but nobody is using it. */
  get inBackground(): boolean {
    return this.backgroundHolds > 0;
  }

  /** Keeps the app in the background until the returned release is called. */
  holdInBackground(): () => void {
    this.backgroundHolds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.backgroundHolds--;
    };
  }

  /** Requests the running app has sent and not yet had answered. */
  get requestsInFlight(): number {
    return this.running ? (this.process?.requestsInFlight ?? 0) : 0;
  }

  /** Called at every death of the app, after its timers are cancelled; returns the unsubscribe. */
  onDeath(listener: () => void): () => void {
    this.deathListeners.push(listener);
    return () => {
      const index = this.deathListeners.indexOf(listener);
      if (index >= 0) this.deathListeners.splice(index, 1);
    };
  }

  /** The app is updated: boots from now on run `factory`; the running process keeps its build until it dies. */
  install(factory: ClientFactory): void {
    this.factory = factory;
  }

  /**
   * Starts the app: a fresh client from the installed factory over the device's durable state. A device
   * runs one app process at a time: a boot while one runs (another fault rebooted it first) does nothing.
   */
  async boot(): Promise<void> {
    if (this.process && !this.process.fence.dead) return;
    const { scheduler, history, deviceId } = this.settings;
    const fence = fenceDatabase(this.db);
    const process = { fence, client: undefined, timers: new Set(), sockets: new Set(), requestsInFlight: 0 } as Omit<AppProcess, 'context'> as AppProcess;
    process.context = this.contextOf(process);
    this.process = process;
    fence.onKilled(() => this.die(process));
    history.append({ t: scheduler.nowMs, type: 'boot', process: deviceId });
    const proxy = await this.settings.openProxy?.();
    if (proxy) process.sockets.add(proxy);
    if (fence.dead) return proxy?.cut();
    const env = this.env(process, proxy?.url);
    const client = await this.inside(process, () => this.factory(env));
    if (fence.dead) return;
    process.client = this.settings.contexts ? this.entered(process, client) : client;
    await this.readAtLaunch(process, process.client);
  }

  /** What the app shows as it opens: the durability checker compares it with what was saved before a death. */
  private async readAtLaunch(process: AppProcess, client: SyncClient): Promise<void> {
    const { scheduler, history, deviceId } = this.settings;
    try {
      const records = await client.list();
      if (!process.fence.dead) history.appendRead(scheduler.nowMs, deviceId, 'boot', records);
    } catch (error) {
      if (!(error instanceof ProcessKilledError)) throw error;
    }
  }

  /** Kills the app now, at an await: no transaction is open between two events. */
  kill(): void {
    this.process?.fence.kill();
  }

  /** Kills the app at the n-th SQLite statement it runs from now, inside whatever it is doing. */
  killAtStatement(n: number): void {
    this.process?.fence.killAtStatement(n);
  }

  /** Calls off statement kills not yet struck: an armed one and one waiting for the next user write. */
  disarm(): void {
    this.process?.fence.disarm();
    this.killOnNextWrite = undefined;
  }

  /** The next write the user starts kills the app at its n-th SQLite statement: death in the middle of saving. */
  killDuringNextWrite(n: number): void {
    this.killOnNextWrite = n;
  }

  /** The user is about to write: strikes a kill armed by `killDuringNextWrite`. */
  beforeUserWrite(): void {
    if (this.killOnNextWrite === undefined) return;
    this.killAtStatement(this.killOnNextWrite);
    this.killOnNextWrite = undefined;
  }

  /** Backgrounds the app: its timers wait (they fire on resume) and the caller takes its network away. */
  suspend(): void {
    this.suspendedValue = true;
  }

  resume(): void {
    this.suspendedValue = false;
    for (const fn of this.deferred.splice(0)) fn();
  }

  /** Copies the database (as `serialize()` sees it) and the data folder. */
  snapshot(): DeviceSnapshot {
    const dataFiles = new Map<string, Buffer>();
    for (const path of filesUnder(this.dataDir)) dataFiles.set(relative(this.dataDir, path), readFileSync(path));
    return { takenAtMs: this.settings.scheduler.nowMs, database: this.db.serialize(), dataFiles };
  }

  /** Puts a snapshot back while the app is dead, as restoring a phone from an old backup does. */
  restore(snapshot: DeviceSnapshot): void {
    this.replaceStore(snapshot.database, () => {
      for (const [path, content] of snapshot.dataFiles) {
        mkdirSync(dirname(join(this.dataDir, path)), { recursive: true });
        writeFileSync(join(this.dataDir, path), content);
      }
    });
  }

  /** Deletes the database and the data folder while the app is dead, as deleting the app does: the next boot is a fresh install. */
  wipe(): void {
    this.replaceStore(undefined, () => {});
  }

  /** Replaces the store of a dead app with `image` (or an empty one), empties the data folder and lets `fill` write what comes back. */
  private replaceStore(image: Buffer | undefined, fill: () => void): void {
    if (this.running) throw new Error(`device ${this.id} must be dead to have its store replaced`);
    this.db.close();
    rmSync(this.dataDir, { recursive: true, force: true });
    mkdirSync(this.dataDir, { recursive: true });
    fill();
    this.db = openStore(image);
  }

  /**
   * Ends the device with the case: the running app is fenced as at a kill (its late work finds a handle that
   * throws ProcessKilledError, its timers and sockets are gone), without a word in the history; then the store closes.
   */
  close(): void {
    this.closed = true;
    this.process?.fence.kill();
    this.db.close();
  }

  /** The process as its own code and the run's globals see it. */
  private contextOf(process: AppProcess): AppContext {
    const { fence } = process;
    return {
      deviceId: this.id,
      hear: (handler) => {
        if (fence.dead) return;
        const enter = () => this.inside(process, handler);
        if (this.suspendedValue) this.deferred.push(() => !fence.dead && enter());
        else enter();
      },
      openSocket: (path) => (this.settings.openSocket ? this.fencedSocket(process, path) : undefined),
    };
  }

  /** Runs `fn` as code of `process` (only with virtual globals does that need saying). */
  private inside<T>(process: AppProcess, fn: () => T): T {
    const { contexts } = this.settings;
    return contexts ? contexts.run(process.context, fn) : fn();
  }

  /** The client with each method called as code of `process`, so what it awaits, sets and opens is known to be the process's. */
  private entered(process: AppProcess, client: SyncClient): SyncClient {
    return new Proxy(client, {
      get: (target, key) => {
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? (...args: unknown[]) => this.inside(process, () => value.apply(target, args)) : value;
      },
    });
  }

  private get dataDir(): string {
    return join(this.settings.folder, 'data');
  }

  /** Cancels the dead process's timers and gives the next boot a fresh connection, as a new process has. */
  private die(process: AppProcess): void {
    // the kill may strike inside the app's own code; the cleanup (closing its sockets' far ends) is the harness's
    const { contexts } = this.settings;
    if (contexts && contexts.current()) return contexts.outside(() => this.die(process));
    const { scheduler, history, deviceId } = this.settings;
    for (const cancel of process.timers) cancel();
    process.timers.clear();
    for (const socket of process.sockets) socket.cut();
    process.sockets.clear();
    if (this.closed) return;
    history.append({ t: scheduler.nowMs, type: 'kill', process: deviceId, statement: process.fence.statementsRun() });
    this.db = reopenStore(this.db);
    for (const listener of [...this.deathListeners]) listener();
  }

  private env(process: AppProcess, serverUrl: string | undefined): DeviceEnv {
    const { deviceId, scheduler, clock, rng, history } = this.settings;
    const alive = () => !process.fence.dead;
    return {
      deviceId,
      db: process.fence.handle,
      dataDir: this.dataDir,
      now: () => clock.read(scheduler.nowMs),
      fetch: this.fencedFetch(process),
      setTimeout: (fn, ms) => {
        const cancel = scheduler.after(ms, () => {
          process.timers.delete(cancel);
          process.context.hear(fn);
        });
        process.timers.add(cancel);
        return () => {
          cancel();
          process.timers.delete(cancel);
        };
      },
      random: rng.next,
      log: (event, data) => {
        if (alive()) history.append({ t: scheduler.nowMs, type: 'client', process: deviceId, event, ...(data && { data }) });
      },
      ...(this.settings.openSocket && { openSocket: (path: string) => this.fencedSocket(process, path) }),
      ...(serverUrl !== undefined && { serverUrl }),
    };
  }

  /** A socket of one process: its handlers run only while the process lives (on resume, if suspended), and its death cuts it. */
  private fencedSocket(process: AppProcess, path: string): DeviceSocket {
    const open = this.settings.openSocket;
    if (!open) throw new Error(`device ${this.id} has no sockets in this run`);
    const socket = open(path, process.context.hear);
    if (process.fence.dead) socket.cut();
    else process.sockets.add(socket);
    return socket;
  }

  /**
   * The network of one process: a dead process sends nothing and hears nothing, not even errors; a
   * suspended one hears the outcome of a request (a timeout, say) only when it is resumed, as its code does not run.
   */
  private fencedFetch(process: AppProcess): typeof fetch {
    const send = this.settings.fetch;
    return (input, init) =>
      new Promise((resolve, reject) => {
        if (process.fence.dead) return;
        process.requestsInFlight++;
        const settle = <T>(finish: (value: T) => void) => (value: T) => {
          process.requestsInFlight--;
          const hear = () => !process.fence.dead && finish(value);
          if (this.suspendedValue) this.deferred.push(hear);
          else hear();
        };
        send(input, init).then(settle(resolve), settle(reject));
      });
  }
}

/**
 * Opens a store, empty or holding `image` (a `serialize()` of one). It lives in memory: a phone's file
 * survives an app's death, and the only deaths simulated are the app's, so memory holds exactly what a file
 * would, at none of the file's system calls. A kill still rolls back the open transaction (the fence does).
 */
export function openStore(image?: Buffer): Database.Database {
  return new Database(image ?? ':memory:');
}

/** Closes `db` and opens a new connection over what it committed, as the next process opening the file gets. */
export function reopenStore(db: Database.Database): Database.Database {
  const image = db.serialize();
  db.close();
  return openStore(image);
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}
