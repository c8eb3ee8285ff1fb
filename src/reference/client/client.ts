// The reference offline-first client, the seed's practical baseline: the local database is the source
// of truth, ids are made on the device (from env.random, so a replay makes the same ones), every write is
// queued in its own transaction, and sync runs on launch, on a timer, after writes and on demand.
import type {
  ClientFactory,
  Conflict,
  DeviceEnv,
  Entity,
  Fields,
  SyncClient,
  SyncStatus,
  VisibleRecord,
} from '../../adapter.ts';
import type { ChangeType, ConflictPolicy } from '../../protocol/v1.ts';
import { uuidFrom } from '../../sim/rng.ts';
import { RetryState, type RetrySettings } from './backoff.ts';
import { ConflictInbox } from './inbox.ts';
import { LocalStore, type LocalRecord } from './local-store.ts';
import type { Ordering } from './ordering.ts';
import { PendingQueue, type RecordProgress } from './queue.ts';
import { Settlement } from './settle.ts';
import { SyncEngine } from './sync.ts';

export { backoffDelayMs } from './backoff.ts';

export interface ReferenceClientSettings {
  serverUrl: string;
  /** Most changes per push request (per round of requests, under `parallel`). */
  batchSize: number;
  /** Most records per pull page. */
  pullLimit: number;
  /** Periodic sync timer, ms; it never bypasses the backoff while syncs fail. */
  syncIntervalMs: number;
  /** Sync this long after the last local write, ms; 0 syncs at once, Infinity never (writes wait for the timer or sync()). */
  debounceMs: number;
  /** Exponential backoff with jitter; at most `budgetPerHour` sync attempts per hour while failing. */
  retry: RetrySettings;
  ordering: Ordering;
  /** The policy the server applies too; decides what the device does with a conflict answer. */
  conflict: ConflictPolicy;
  /**
   * Fold an update into the update of the same record just before it in the queue while neither was sent.
   * Default `false`: every write travels as made, so the server sees every intermediate version.
   */
  coalesceUpdates?: boolean;
}

export function referenceClient(settings: ReferenceClientSettings): ClientFactory {
  assertValid(settings);
  return (env) => new ReferenceClient(env, settings);
}

class ReferenceClient implements SyncClient {
  private readonly store: LocalStore;
  private readonly queue: PendingQueue;
  private readonly inbox: ConflictInbox;
  private readonly engine: SyncEngine;
  private readonly coalesce: boolean;

  constructor(
    private readonly env: DeviceEnv,
    settings: ReferenceClientSettings,
  ) {
    this.store = new LocalStore(env.db);
    const { fromVersion, toVersion } = this.store.migration;
    if (fromVersion !== toVersion) env.log('schema-migrated', { fromVersion, toVersion });
    this.queue = new PendingQueue(env.db);
    this.queue.resetInterrupted();
    this.inbox = new ConflictInbox(env.db);
    this.coalesce = settings.coalesceUpdates ?? false;
    const settlement = new Settlement(env, this.store, this.queue, this.inbox, settings.conflict);
    const retry = new RetryState(env.db, settings.retry, env.now, env.random);
    this.engine = new SyncEngine(env, this.store, this.queue, settlement, retry, settings);
    this.engine.start();
  }

  async create(entity: Entity, fields: Fields): Promise<string> {
    const id = uuidFrom(this.env.random);
    this.write({ entity, id, fields, serverVersion: 0, deleted: false }, 'create', fields);
    return id;
  }

  async update(entity: Entity, id: string, fields: Fields): Promise<void> {
    const record = this.live(entity, id);
    this.write({ ...record, fields: { ...record.fields, ...fields } }, 'update', fields);
  }

  async delete(entity: Entity, id: string): Promise<void> {
    this.write({ ...this.live(entity, id), deleted: true }, 'delete', {});
  }

  async list(): Promise<VisibleRecord[]> {
    const progress = this.queue.progress();
    const inConflict = this.inbox.recordIds();
    return this.store.liveRecords().map(({ entity, id, fields }) => ({
      entity,
      id,
      fields,
      ...statusOf(inConflict.has(id), progress.get(id)),
    }));
  }

  sync(): Promise<void> {
    return this.engine.sync();
  }

  async conflicts(): Promise<Conflict[]> {
    return this.inbox.all().map(({ conflictId, entity, id, local, server }) => ({ conflictId, entity, id, local, server }));
  }

  /** The chosen fields become the record's local version, queued as an update on the server version the user saw. */
  async resolve(conflictId: string, fields: Fields): Promise<void> {
    const changeId = uuidFrom(this.env.random);
    const clientTime = this.env.now();
    const entry = this.store.transaction(() => {
      const open = this.inbox.get(conflictId);
      if (!open) throw new Error(`no open conflict ${conflictId} on this device`);
      const { entity, id, serverVersion } = open;
      this.store.put({ entity, id, fields: { ...open.server, ...fields }, serverVersion, deleted: false });
      const change = { changeId, objectId: id, entity, payload: fields, baseVersion: serverVersion, clientTime };
      this.queue.enqueue({ ...change, changeType: 'update' }, false);
      this.inbox.remove(conflictId);
      return open;
    });
    this.resolved(entry, changeId, 'update');
    this.engine.afterLocalWrite();
  }

  private live(entity: Entity, id: string): LocalRecord {
    const record = this.store.record(entity, id);
    if (!record || record.deleted) throw new Error(`no ${entity} ${id} on this device`);
    return record;
  }

  /**
   * Saves the record as the user changed it and queues the change, in one transaction. A record with an
   * open conflict keeps its edits in the inbox's local side instead; deleting it settles the conflict.
   */
  private write(record: LocalRecord, changeType: ChangeType, payload: Fields): void {
    const changeId = uuidFrom(this.env.random);
    const clientTime = this.env.now();
    const settled = this.store.transaction(() => {
      this.store.put(record);
      const open = this.inbox.forRecord(record.id);
      if (open && changeType !== 'delete') return this.inbox.heldEdit(open, record.fields, { changeId, changeType, payload });
      if (open) this.inbox.remove(open.conflictId);
      const baseVersion = open?.serverVersion ?? record.serverVersion;
      const change = { changeId, objectId: record.id, entity: record.entity, changeType, payload, baseVersion, clientTime };
      this.queue.enqueue(change, this.coalesce);
      return open;
    });
    if (settled) this.resolved(settled, changeId, changeType);
    this.engine.afterLocalWrite();
  }

  private resolved(conflict: Conflict, changeId: string, changeType: ChangeType): void {
    this.env.log('conflict-resolved', { conflictId: conflict.conflictId, id: conflict.id, entity: conflict.entity, changeId, changeType });
  }
}

/** What the UI shows for a record: never `synced` while a change of it waits for the server's acknowledgement. */
function statusOf(inConflict: boolean, progress: RecordProgress | undefined): { status: SyncStatus; reason?: string } {
  if (inConflict) return { status: 'conflict' };
  if (!progress) return { status: 'synced' };
  if (progress.failedReason !== undefined) return { status: 'failed', reason: progress.failedReason };
  return { status: progress.sent ? 'pending' : 'local' };
}

function assertValid(settings: ReferenceClientSettings): void {
  const { batchSize, pullLimit, syncIntervalMs, debounceMs, retry } = settings;
  const rules: [boolean, string][] = [
    [Number.isInteger(batchSize) && batchSize >= 1, 'batchSize must be a whole number >= 1'],
    [Number.isInteger(pullLimit) && pullLimit >= 1, 'pullLimit must be a whole number >= 1'],
    [syncIntervalMs > 0, 'syncIntervalMs must be > 0'],
    [debounceMs >= 0, 'debounceMs must be >= 0'],
    [retry.baseMs > 0, 'retry.baseMs must be > 0'],
    [retry.maxMs >= retry.baseMs, 'retry.maxMs must be >= retry.baseMs'],
    [retry.budgetPerHour > 0, 'retry.budgetPerHour must be > 0'],
  ];
  const problems = rules.filter(([ok]) => !ok).map(([, problem]) => problem);
  if (problems.length > 0) throw new Error(`invalid reference client settings: ${problems.join('; ')}`);
}
