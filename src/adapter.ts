// (contract) The interface a system under test implements. A device is an app process: the
// harness owns time, network, crashes, disk and the user; the system under test owns its local
// schema, queue, protocol and conflict policy. Changes here need a version bump and a README note.
import type Database from 'better-sqlite3';

/** A record's field values. The workload writes a unique token string into every field it sets. */
export type Fields = Record<string, string | null>;

/** The record kinds the simulated users work with: notes live in folders (`fields.folderId`). */
export type Entity = 'folder' | 'note';

/** Per-record sync state as the app shows it; never `synced` before the server acknowledged that exact version. */
export type SyncStatus = 'local' | 'pending' | 'synced' | 'conflict' | 'failed';

export interface VisibleRecord {
  entity: Entity;
  id: string;
  fields: Fields;
  status?: SyncStatus;
  /** Why the server rejected this record's change, when `status` is `failed`. */
  reason?: string;
}

export interface ServerRecord {
  entity: Entity;
  id: string;
  fields: Fields;
  version: number;
  deleted: boolean;
}

export interface DeviceEnv {
  deviceId: string;
  /** The device's persistent SQLite store; survives kills. */
  db: Database.Database;
  /** A folder that survives kills, for clients with storage of their own. */
  dataDir: string;
  /** This device's (possibly drifted) wall clock, in ms. */
  now(): number;
  /** The device's only network: the standard Fetch API, carried over the simulated network. */
  fetch: typeof fetch;
  /** A virtual timer; returns a function that cancels it. */
  setTimeout(fn: () => void, ms: number): () => void;
  /** Seeded randomness in [0, 1). */
  random(): number;
  /** Adds an event of the client's own to the run's history. */
  log(event: string, data?: Record<string, unknown>): void;
  /**
   * Opens a WebSocket to the server at `path` (e.g. `/v1/pokes?device=d1`), over the device's link:
   * a partition drops it and refuses new ones, a kill cuts it. Present when the scenario turns
   * `system.pokes` on (or the globals are virtual); the server speaks only to sockets it accepts (docs/protocol.md, push pokes).
   */
  openSocket?(path: string): DeviceSocket;
  /**
   * Where this boot of the device reaches the server with connections of its own (an engine's
   * WebSocket, HTTP or TCP client), `http://127.0.0.1:PORT` plus the server's path. Present with
   * `transport: http`: a loopback proxy of this device's, so every connection made to it crosses the
   * device's link (a partition resets it, a kill cuts it); each boot gets a new one.
   */
  serverUrl?: string;
}

/** A WebSocket as the app sees it: the standard API's shape, with text frames only. */
export interface DeviceSocket {
  /** 0 connecting, 1 open, 2 closing, 3 closed, as `WebSocket.readyState`. */
  readonly readyState: 0 | 1 | 2 | 3;
  onopen: ((event: { type: 'open' }) => void) | null;
  onmessage: ((event: { type: 'message'; data: string }) => void) | null;
  /** A socket that failed (refused, or dropped by the network) hears `error`, then `close`. */
  onerror: ((event: { type: 'error' }) => void) | null;
  onclose: ((event: { type: 'close'; code: number; reason: string; wasClean: boolean }) => void) | null;
  /** Sends a text frame; throws while connecting, as a browser's does. */
  send(data: string): void;
  close(): void;
}

/** One instance per boot of a device. */
export interface SyncClient {
  /** Resolves with the new record's id once it is saved on the device. */
  create(entity: Entity, fields: Fields): Promise<string>;
  update(entity: Entity, id: string, fields: Fields): Promise<void>;
  delete(entity: Entity, id: string): Promise<void>;
  /** What the UI shows: every live record, with its sync status where the app has one. */
  list(): Promise<VisibleRecord[]>;
  /** Launch, resume or pull-to-refresh: push what is pending, then pull. */
  sync(): Promise<void>;
  /** The manual-resolution inbox, for clients whose policy has one. */
  conflicts?(): Promise<Conflict[]>;
  /** Settles a conflict with the fields the user chose; the record then syncs like any edit. */
  resolve?(conflictId: string, fields: Fields): Promise<void>;
  /**
   * Optional, for apps whose list view updates by changes (a diffing list, a change feed): the splices
   * that make list `to` of list `from`, both arrays this instance's list() returned, `to` the latest and
   * `from` the one before it; undefined when the app cannot tell. The harness then reads a look as those
   * changes instead of comparing every record again, so a look costs what changed, not the whole dataset.
   * They must be exact: applied in turn to `from`, they give `to` (docs/adapters.md).
   */
  listSplices?(from: readonly VisibleRecord[], to: readonly VisibleRecord[]): readonly ListSplice[] | undefined;
}

/** One step from a list to the next: the record at `at` goes (`removed` 1), and `record`, if any, takes its place. */
export interface ListSplice {
  at: number;
  removed: 0 | 1;
  record?: VisibleRecord;
}

/** Two versions of one record that the user must choose between (or merge). */
export interface Conflict {
  conflictId: string;
  entity: Entity;
  id: string;
  /** The version on this device when the conflict arose. */
  local: Fields;
  /** The version on the server. */
  server: Fields;
}

export type ClientFactory = (env: DeviceEnv) => SyncClient | Promise<SyncClient>;

/**
 * How the server settles a change made on a version that is no longer current (a concurrent change):
 * `server-wins` answers `conflict` and keeps its record; `lww` keeps the change with the later
 * `clientTime` (ties: the greater deviceId); `field-merge` applies the fields nobody else changed since
 * `baseVersion` and keeps the server's value for the rest; `manual` answers `conflict` so the user decides.
 */
export const CONFLICT_POLICIES = ['server-wins', 'lww', 'field-merge', 'manual'] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];

/**
 * `dependency`: a change waits while something it depends on is held back; `serial`: a batch is the
 * queue's prefix up to the first change that cannot go yet; `parallel`: one change per record, each
 * in its own request, with no regard for folders.
 */
export type Ordering = 'dependency' | 'serial' | 'parallel';

export interface RetrySettings {
  /** The ceiling of the first retry delay, ms; it doubles with each failure. */
  baseMs: number;
  /** The largest ceiling of a retry delay, ms. */
  maxMs: number;
  /** Most sync attempts in any hour while syncs keep failing: whole attempts, a fraction rounds down (at least 1). */
  budgetPerHour: number;
}

/** The scenario's `system:` settings that a client module may take: what its `configure` hook is given. */
export interface ClientSettings {
  /** Where the server lives; in simulation the host is never resolved. */
  serverUrl: string;
  /** Most changes per push request (per round of requests, under `parallel`). */
  batchSize: number;
  /** Most records per pull page. */
  pullLimit: number;
  /** Periodic sync timer, ms. */
  syncIntervalMs: number;
  /** Sync this long after the last local write, ms; 0 syncs at once, Infinity never. */
  debounceMs: number;
  /** Exponential backoff with jitter, and at most `budgetPerHour` sync attempts per hour while failing. */
  retry: RetrySettings;
  ordering: Ordering;
  /** The policy the server applies too; decides what the device does with a conflict answer. */
  conflict: ConflictPolicy;
  /** Keep a socket to the server's poke endpoint (`env.openSocket`) and sync on each poke. */
  pokes: boolean;
}

/** The builds of an app the `upgrade` fault installs: an older one a device boots first, then the latest over its database. */
export interface AppBuilds {
  /** The app versions the module can boot, oldest first; the last is the latest, which an upgrade installs. */
  versions: readonly number[];
  /** One build's factory; `failingMigration`: the latest build whose last migration fails (an upgrade with `fail: true`). */
  build(version: number, options?: { failingMigration?: boolean }): ClientFactory;
}

/**
 * A client module's capabilities beside its factory, declared with `defineClient`: the harness reads
 * only what is declared here and never looks for properties on the factory function.
 */
export interface ClientDefinition {
  /** Boots the app: called once per boot of a device. */
  factory: ClientFactory;
  /** Older builds of the app, for the `upgrade` fault; without them a scenario that schedules an upgrade is refused. */
  builds?: AppBuilds;
  /** Takes the scenario's `system:` settings (conflict policy, batch size, timers) and returns the client they configure. */
  configure?(settings: ClientSettings): ClientDefinition;
  /** The client keeps real timers and async I/O of its own (a library): only `transport: http` can run it. */
  realTime?: boolean;
  /**
   * The client (a library) reads the global clock, timers and randomness and opens global or `ws` WebSockets:
   * `'virtual'` makes them the run's in simulation unless the scenario says `system.globals: real` (docs/adapters.md).
   */
  globals?: 'virtual';
}

/** What a client module's default export may be: a bare factory, or a definition with capabilities. */
export type ClientModule = ClientFactory | ClientDefinition;

/** Declares a client module with its capabilities, checking them as it is built (TigerBeetle-style asserting constructor). */
export function defineClient(definition: ClientDefinition): ClientDefinition {
  if (typeof definition.factory !== 'function') throw new TypeError('defineClient: `factory` must be a function (env) => SyncClient');
  if (definition.configure !== undefined && typeof definition.configure !== 'function') throw new TypeError('defineClient: `configure` must be a function (settings) => ClientDefinition');
  if (definition.globals !== undefined && definition.globals !== 'virtual') throw new TypeError("defineClient: `globals` may only be 'virtual'");
  if (definition.globals === 'virtual' && definition.realTime === true) throw new TypeError("defineClient: a client on real time (`realTime: true`) cannot take virtual globals (`globals: 'virtual'`)");
  const versions = definition.builds?.versions;
  if (versions !== undefined && (versions.length === 0 || versions.some((version, index) => index > 0 && version <= (versions[index - 1] as number)))) {
    throw new TypeError('defineClient: `builds.versions` must list at least one app version, oldest first, each greater than the one before');
  }
  return definition;
}

/** A module's default export as a definition: a bare factory declares nothing beside itself. */
export function clientDefinitionOf(module: ClientModule): ClientDefinition {
  return typeof module === 'function' ? { factory: module } : module;
}

/** What the devices talk to. */
export interface SyncServer {
  /** A web-standard handler, as in a Worker. */
  handle(request: Request): Promise<Response>;
  /** Ground truth for the checkers: every record, tombstones included. */
  records(): Promise<ServerRecord[]>;
}

/**
 * A server under test that the run starts from a module (`system.server: { adapter: ./server.ts }`),
 * a sync system of another protocol: the module's default export.
 */
export interface ServerAdapterContext {
  /** A folder of the server's own for its storage, removed when the run ends. */
  dataDir: string;
  /** Called with a record's version once the server holds it (as its own change feed tells, a moment later). */
  onCommit(record: ServerRecord): void;
}

export interface RunningServer {
  /** Where devices reach it (`http://127.0.0.1:PORT`); a device's request path is appended to its path. */
  url: string;
  /** Every record, tombstones included, `version` counting the record's revisions. */
  records(): Promise<ServerRecord[]>;
  close(): Promise<void>;
}

export type ServerAdapter = (context: ServerAdapterContext) => Promise<RunningServer>;

/**
 * A server module's capabilities beside its start, declared with `defineServer`. `restart` lets the
 * `server_restart` fault reach the server: at the fault's start the run closes the running server (its
 * connections are refused from then on), and after the down time it calls `restart` with the same context,
 * whose `dataDir` still holds what the server committed; the new process may listen at another URL.
 * Often `restart` is `start` itself. Without it a scenario with `server_restart` is refused at load.
 */
export interface ServerDefinition {
  start: ServerAdapter;
  restart?: ServerAdapter;
}

/** What a server module's default export may be: a bare start, or a definition with capabilities. */
export type ServerModule = ServerAdapter | ServerDefinition;

/** Declares a server module with its capabilities, checking them as it is built. */
export function defineServer(definition: ServerDefinition): ServerDefinition {
  if (typeof definition.start !== 'function') throw new TypeError('defineServer: `start` must be a function (context) => Promise<RunningServer>');
  if (definition.restart !== undefined && typeof definition.restart !== 'function') throw new TypeError('defineServer: `restart` must be a function (context) => Promise<RunningServer>');
  return definition;
}

/** A server module's default export as a definition: a bare start declares nothing beside itself. */
export function serverDefinitionOf(module: ServerModule): ServerDefinition {
  return typeof module === 'function' ? { start: module } : module;
}

/** An RFC 4122 version-4 UUID drawn from a seeded source (pass `env.random`), so client-generated ids replay too. */
export function uuidFrom(random: () => number): string {
  const hex: string[] = [];
  for (let i = 0; i < 32; i++) hex.push(Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
