// The reference offline-first client: the local database is the source of truth, ids are
// generated on the device, every write is queued in the same transaction, and sync runs on
// launch and on a periodic timer. It sees only the adapter contract and the wire protocol.
import type { ClientFactory, DeviceEnv, Entity, Fields, SyncClient, SyncStatus, VisibleRecord } from '../../adapter.ts';
import { uuidFrom } from '../../sim/rng.ts';
import type { ChangeType } from '../../protocol/v1.ts';
import { LocalStore, type LocalRecord, type PendingChange } from './local-store.ts';
import { SyncEngine, type SyncSettings } from './sync.ts';

export interface ReferenceClientSettings extends SyncSettings {
  syncIntervalMs: number;
}

export function referenceClient(settings: ReferenceClientSettings): ClientFactory {
  return (env) => new ReferenceClient(env, settings);
}

class ReferenceClient implements SyncClient {
  private readonly store: LocalStore;
  private readonly engine: SyncEngine;

  constructor(
    private readonly env: DeviceEnv,
    settings: ReferenceClientSettings,
  ) {
    this.store = new LocalStore(env.db);
    this.engine = new SyncEngine(env, this.store, settings);
    const tick = () => {
      void this.engine.sync();
      env.setTimeout(tick, settings.syncIntervalMs);
    };
    tick();
  }

  async create(entity: Entity, fields: Fields): Promise<string> {
    const id = uuidFrom(this.env.random);
    this.save({ entity, id, fields, serverVersion: 0, deleted: false }, 'create', fields);
    return id;
  }

  async update(entity: Entity, id: string, fields: Fields): Promise<void> {
    const record = this.live(entity, id);
    this.save({ ...record, fields: { ...record.fields, ...fields } }, 'update', fields);
  }

  async delete(entity: Entity, id: string): Promise<void> {
    const record = this.live(entity, id);
    this.save({ ...record, deleted: true }, 'delete', {});
  }

  async list(): Promise<VisibleRecord[]> {
    const queued = new Map<string, PendingChange[]>();
    for (const change of this.store.queue()) queued.set(change.objectId, [...(queued.get(change.objectId) ?? []), change]);
    return this.store.liveRecords().map((record) => ({
      entity: record.entity,
      id: record.id,
      fields: record.fields,
      ...statusOf(queued.get(record.id) ?? []),
    }));
  }

  sync(): Promise<void> {
    return this.engine.sync();
  }

  private live(entity: Entity, id: string): LocalRecord {
    const record = this.store.record(id);
    if (!record || record.deleted || record.entity !== entity) throw new Error(`no ${entity} ${id} on this device`);
    return record;
  }

  private save(record: LocalRecord, changeType: ChangeType, fields: Fields): void {
    const change = { changeId: uuidFrom(this.env.random), entity: record.entity, id: record.id, changeType, fields };
    this.store.writeLocal(record, { ...change, clientTime: this.env.now() });
  }
}

function statusOf(changes: readonly PendingChange[]): { status: SyncStatus; reason?: string } {
  const failed = changes.find((change) => change.status === 'failed');
  if (failed) return { status: 'failed', reason: failed.reason ?? undefined };
  if (changes.length === 0) return { status: 'synced' };
  return { status: changes.some((change) => change.attempts > 0) ? 'pending' : 'local' };
}
