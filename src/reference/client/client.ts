// The reference offline-first client, the seed's practical baseline: the local database is the source
// of truth, ids are made on the device (from env.random, so a replay makes the same ones), every write is
// queued in its own transaction, and sync runs on launch, on a timer, after writes and on demand.
// An older build (appVersion) runs on its older schema: retry attempts and the conflict inbox then live
// in memory only, and `manual` falls back to server-wins (logged), so no held edit dies with the process.
import { defineClient, type ClientDefinition, type ClientFactory, type ClientSettings, type Conflict, type DeviceEnv, type Entity, type Fields, type ListSplice, type SyncClient, type SyncStatus, type VisibleRecord, uuidFrom } from '../../adapter.ts';
import type { ChangeType } from '../../protocol/v1.ts';
import { RetryState } from './backoff.ts';
import { ConflictInbox } from './inbox.ts';
import { LiveListing, positionOf, spliced } from './listing.ts';
import { LocalStore, type LocalRecord } from './local-store.ts';
import { SCHEMA_VERSION, migrateOnLaunch } from './migrations.ts';
import { PokeSocket } from './pokes.ts';
import { PendingQueue, type RecordProgress } from './queue.ts';
import { Settlement } from './settle.ts';
import { SyncEngine } from './sync.ts';

export { backoffDelayMs } from './backoff.ts';

/** The scenario's settings, and what the reference client adds for the catalog's mistakes and the upgrade fault. */
export interface ReferenceClientSettings extends ClientSettings {
  /**
   * Fold an update into the update of the same record just before it in the queue while neither was sent.
   * Default `false`: every write travels as made, so the server sees every intermediate version.
   */
  coalesceUpdates?: boolean;
  /** The newest schema version this build of the app ships (default: the latest); it migrates up to it and runs on it. */
  appVersion?: AppVersion;
  /** Fault injection: the migration to this schema version throws part-way, inside its transaction. */
  failMigrationTo?: number;
}

export type AppVersion = 1 | 2 | 3;

/** The app versions of the reference client, oldest first: one per schema version it migrates through. */
const APP_VERSIONS: readonly AppVersion[] = [1, 2, 3];

/** The reference client as a bare factory: the latest build with `settings`. */
export function referenceClient(settings: ReferenceClientSettings): ClientFactory {
  assertValid(settings);
  return (env: DeviceEnv) => new ReferenceClient(env, settings);
}

/** The reference client with its capabilities declared: its builds, one per schema version, for the upgrade fault. */
export function referenceClientDefinition(settings: ReferenceClientSettings): ClientDefinition {
  return defineClient({
    factory: referenceClient(settings),
    builds: {
      versions: APP_VERSIONS,
      build: (version, options) =>
        referenceClient({ ...settings, appVersion: version as AppVersion, ...(options?.failingMigration && { failMigrationTo: SCHEMA_VERSION }) }),
    },
  });
}

class ReferenceClient implements SyncClient {
  private readonly store: LocalStore;
  private readonly listing: LiveListing;
  /** What the last listing showed of each listed record object. */
  private readonly shown = new WeakMap<LocalRecord, VisibleRecord>();
  /**
   * The last listing of the live records: the listing's records, what it showed of each (in the same places: the
   * first `live.length` of the list handed out, which the refused deletes follow), and the ids then in the queue or the inbox.
   */
  private lastListing: { live: readonly LocalRecord[]; visible: readonly VisibleRecord[]; unsettled: ReadonlySet<string> } | undefined;
  /** The list the last list() handed out, and, when known, the one before it and the splices that made one of the other. */
  private lastList: { list: readonly VisibleRecord[]; from?: readonly VisibleRecord[]; splices?: readonly ListSplice[] } | undefined;
  private readonly queue: PendingQueue;
  private readonly inbox: ConflictInbox;
  private readonly engine: SyncEngine;
  private readonly coalesce: boolean;

  constructor(
    private readonly env: DeviceEnv,
    private readonly settings: ReferenceClientSettings,
  ) {
    const schemaVersion = migrateOnLaunch(env, settings.appVersion ?? SCHEMA_VERSION, settings.failMigrationTo);
    this.store = new LocalStore(env.db, schemaVersion);
    this.listing = new LiveListing(env.db, schemaVersion);
    this.queue = new PendingQueue(env.db, schemaVersion);
    this.queue.resetInterrupted();
    this.inbox = new ConflictInbox(env.db);
    this.coalesce = settings.coalesceUpdates ?? false;
    const policy = schemaVersion < 3 && settings.conflict === 'manual' ? 'server-wins' : settings.conflict;
    if (policy !== settings.conflict) env.log('conflict-policy-degraded', { policy: settings.conflict, fallback: policy, schemaVersion });
    const settlement = new Settlement(env, this.store, this.queue, this.inbox, policy);
    const retry = new RetryState(env.db, settings.retry, env.now, env.random);
    this.engine = new SyncEngine(env, this.store, this.queue, this.inbox, settlement, retry, settings);
    this.engine.start();
    if (settings.pokes) this.listenForPokes();
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

  /** Live records, plus any the user deleted whose delete the server refused for good: shown again, as failed. */
  async list(): Promise<VisibleRecord[]> {
    const progress = this.queue.progress();
    const inConflict = this.inbox.recordIds();
    const live = this.listing.records();
    const refusedDeletes = [...progress]
      .filter(([id, { failedReason }]) => failedReason !== undefined && !isListed(live, id) && this.deleteRefused(id))
      .flatMap(([id]) => this.store.record('note', id) ?? this.store.record('folder', id) ?? []);
    const listedBefore = this.lastListing?.live.length ?? 0;
    const { visible, splices } = this.listed(live, inConflict, progress);
    const listedNow = visible.length;
    for (const record of refusedDeletes) visible.push(this.visibleOf(record, inConflict.has(record.id), progress.get(record.id)));
    const from = this.lastList?.list;
    // the refused deletes shown after the live records go, the live records change, and the refused deletes now shown come
    const made = from && splices && [
      ...Array.from({ length: from.length - listedBefore }, (): ListSplice => ({ at: listedBefore, removed: 1 })),
      ...splices,
      ...visible.slice(listedNow).map((record, at): ListSplice => ({ at: listedNow + at, removed: 0, record })),
    ];
    this.lastList = { list: visible, ...(made && { from, splices: made }) };
    return visible;
  }

  listSplices(from: readonly VisibleRecord[], to: readonly VisibleRecord[]): readonly ListSplice[] | undefined {
    if (from === to) return [];
    const last = this.lastList;
    return last?.list === to && last.from === from ? last.splices : undefined;
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

  /**
   * The live records as the UI shows them. A record the last listing showed, the same object in its place, whose
   * status cannot have changed (neither then nor now in the queue or the inbox) is shown as that listing showed it,
   * as `visibleOf` would, without working its status out again: a listing costs about what changed since the last.
   * When the listing knows the splices that made it of the last one, they are made in one pass over what that
   * one showed; else a walk finds the records in their places.
   */
  private listed(
    live: readonly LocalRecord[],
    inConflict: ReadonlySet<string>,
    progress: ReadonlyMap<string, RecordProgress>,
  ): { visible: VisibleRecord[]; splices?: ListSplice[] } {
    const unsettled = new Set([...progress.keys(), ...inConflict]);
    const last = this.lastListing;
    // the places of the records whose status may have changed, ascending: the walk meets them in turn
    const volatile = positionsOf(live, last ? new Set([...unsettled, ...last.unsettled]) : unsettled);
    const splices = last && this.listing.splicesBetween(last.live, live);
    if (last && splices) {
      /** The same splices made in what the last listing showed, then each record whose status changed shown anew in its place. */
      const made = splices.map(({ at, removed, record }): ListSplice => ({
        at,
        removed,
        ...(record && { record: this.visibleOf(record, inConflict.has(record.id), progress.get(record.id)) }),
      }));
      const visible = spliced(last.visible, last.live.length, made);
      for (const at of volatile) {
        const record = live[at] as LocalRecord;
        const shown = this.visibleOf(record, inConflict.has(record.id), progress.get(record.id));
        if (shown === visible[at]) continue;
        visible[at] = shown;
        made.push({ at, removed: 1, record: shown });
      }
      this.lastListing = { live, visible, unsettled };
      return { visible, splices: made };
    }
    let nextVolatile = 0;
    // sized once: a listing of a large dataset leaves no outgrown copies behind for the collector
    const visible = new Array<VisibleRecord>(live.length);
    let next = 0;
    for (let at = 0; at < live.length; at++) {
      const record = live[at] as LocalRecord;
      const lastLive = last?.live;
      const isVolatile = volatile[nextVolatile] === at;
      if (isVolatile) nextVolatile++;
      // one record gone since the last listing: the walk steps over it
      if (lastLive && record !== lastLive[next] && record === lastLive[next + 1]) next++;
      if (last && record === lastLive?.[next] && !isVolatile) {
        visible[at] = last.visible[next++] as VisibleRecord;
        continue;
      }
      // a record changed in its place moves the walk on; a new one does not
      if (lastLive?.[next]?.id === record.id) next++;
      visible[at] = this.visibleOf(record, inConflict.has(record.id), progress.get(record.id));
    }
    this.lastListing = { live, visible, unsettled };
    return { visible };
  }

  /** The record as the UI shows it: the same frozen object as the last listing's while the record and its status are unchanged. */
  private visibleOf(record: LocalRecord, inConflict: boolean, progress: RecordProgress | undefined): VisibleRecord {
    const { status, reason } = statusOf(inConflict, progress);
    const shown = this.shown.get(record);
    if (shown && shown.status === status && shown.reason === reason) return shown;
    const { entity, id, fields } = record;
    const visible: VisibleRecord = Object.freeze({ entity, id, fields, status, ...(reason !== undefined && { reason }) });
    this.shown.set(record, visible);
    return visible;
  }

  private listenForPokes(): void {
    const { openSocket } = this.env;
    if (!openSocket) throw new Error('pokes need env.openSocket: the run must turn system.pokes on');
    new PokeSocket({ ...this.env, openSocket }, this.settings.retry, () => this.engine.poked()).open();
  }

  /** A record the user can act on: a live one, or one whose delete was refused and is shown again as failed. */
  private live(entity: Entity, id: string): LocalRecord {
    const record = this.store.record(entity, id);
    if (!record || (record.deleted && !this.deleteRefused(id))) throw new Error(`no ${entity} ${id} on this device`);
    return { ...record, deleted: false };
  }

  /** The record's last queued change is a delete the server refused for good. */
  private deleteRefused(id: string): boolean {
    const last = this.queue.ofRecord(id).at(-1);
    return last?.changeType === 'delete' && last.status === 'failed';
  }

  /**
   * Saves the record as the user changed it and queues the change, in one transaction. A record with an
   * open conflict keeps its edits in the inbox's local side instead. Deleting it closes the conflict (the
   * user wants no record, whichever side), but the delete is made on what the user saw: their own side,
   * on the version it was built on, never the server's side they did not open. So the server meets it as a
   * delete against a change it never saw, and the policy settles that as any edit against a delete.
   * A new write answers the record's changes the server refused (shown as failed): it supersedes a
   * refused update or delete; after a refused create the record never reached the server, so a delete
   * just drops it, while an edit waits behind the create and the record stays failed.
   */
  private write(record: LocalRecord, changeType: ChangeType, payload: Fields): void {
    const changeId = uuidFrom(this.env.random);
    const clientTime = this.env.now();
    const settled = this.store.transaction(() => {
      this.store.put(record);
      const refused = this.queue.ofRecord(record.id).filter((change) => change.status === 'failed');
      const neverCreated = refused.some((change) => change.changeType === 'create');
      if (neverCreated && changeType === 'delete') return this.queue.removeRecord(record.id);
      if (!neverCreated && refused.length > 0) this.queue.dismissFailed(record.id);
      const open = this.inbox.forRecord(record.id);
      if (open && changeType !== 'delete') return this.inbox.heldEdit(open, record.fields, { changeId, changeType, payload });
      if (open) this.inbox.remove(open.conflictId);
      const change = { changeId, objectId: record.id, entity: record.entity, changeType, payload, baseVersion: record.serverVersion, clientTime };
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

/** The first place in `live` (ordered by id, as the listing hands it) a record of id `id` has or would take: a folder goes first on a tie. */
function firstPlaceOf(live: readonly LocalRecord[], id: string): number {
  return positionOf(live, { entity: 'folder', id });
}

/** Whether a record of id `id` is in `live`, of either entity. */
function isListed(live: readonly LocalRecord[], id: string): boolean {
  return live[firstPlaceOf(live, id)]?.id === id;
}

/** The places in `live` of the records with one of `ids`, ascending: a binary search each. */
function positionsOf(live: readonly LocalRecord[], ids: ReadonlySet<string>): number[] {
  const positions: number[] = [];
  for (const id of ids) for (let at = firstPlaceOf(live, id); live[at]?.id === id; at++) positions.push(at);
  return positions.sort((a, b) => a - b);
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
    [[undefined, 1, 2, 3].includes(settings.appVersion), 'appVersion must be 1, 2 or 3'],
  ];
  const problems = rules.filter(([ok]) => !ok).map(([, problem]) => problem);
  if (problems.length > 0) throw new Error(`invalid reference client settings: ${problems.join('; ')}`);
}
