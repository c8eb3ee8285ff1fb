// Sync as a state machine: collect pending changes in order, push them in batches, settle each
// result (acknowledged, duplicate, conflict, rejected), then pull from the cursor. Only one
// sync runs at a time; a failed request leaves its changes queued for the next attempt.
import type { DeviceEnv } from '../../adapter.ts';
import {
  PULL_PATH,
  PUSH_PATH,
  type Change,
  type ChangeResult,
  type PullResponse,
  type PushRequest,
  type PushResponse,
} from '../../protocol/v1.ts';
import type { LocalStore, PendingChange } from './local-store.ts';

export interface SyncSettings {
  serverUrl: string;
  batchSize: number;
  pullLimit: number;
}

/** The server answered, but not with success: the batch stays queued and is retried later. */
export class SyncRequestError extends Error {
  constructor(
    readonly status: number,
    reason: string,
  ) {
    super(`server answered ${status}: ${reason}`);
  }
}

export class SyncEngine {
  private inFlight: Promise<void> | undefined;
  private followUp: Promise<void> | undefined;

  constructor(
    private readonly env: DeviceEnv,
    private readonly store: LocalStore,
    private readonly settings: SyncSettings,
  ) {}

  /**
   * Pushes everything pending, then pulls. While a sync runs, callers share one follow-up sync that
   * starts when it ends, so a change made before the call is always pushed before the call resolves.
   */
  sync(): Promise<void> {
    if (this.inFlight) {
      this.followUp ??= this.inFlight.then(() => {
        this.followUp = undefined;
        return this.sync();
      });
      return this.followUp;
    }
    this.inFlight = this.pushThenPull().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async pushThenPull(): Promise<void> {
    try {
      await this.pushAll();
      await this.pullAll();
    } catch (error) {
      if (!isRequestFailure(error)) throw error;
      this.env.log('sync-failed', { reason: error.message });
    }
  }

  private async pushAll(): Promise<void> {
    for (let batch = this.nextBatch(); batch.length > 0; batch = this.nextBatch()) {
      const changeIds = batch.map((change) => change.changeId);
      this.store.markSyncing(changeIds);
      let response: PushResponse;
      try {
        response = await this.request<PushResponse>(PUSH_PATH, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ deviceId: this.env.deviceId, changes: batch.map(toWire) } satisfies PushRequest),
        });
      } catch (error) {
        this.store.markRetry(changeIds);
        throw error;
      }
      const sent = new Map(batch.map((change) => [change.changeId, change]));
      this.store.transaction(() => {
        for (const result of response.results) {
          const change = sent.get(result.changeId);
          if (change) this.settle(change, result);
        }
        this.store.markRetry(changeIds); // a change the server gave no result for waits for the next push
      });
    }
  }

  /** The oldest eligible change of each record, in queue order: a record's changes go one per batch. */
  private nextBatch(): PendingChange[] {
    const seen = new Set<string>();
    const batch: PendingChange[] = [];
    for (const change of this.store.queue()) {
      if (batch.length >= this.settings.batchSize) break;
      if (change.status === 'failed' || seen.has(change.objectId)) continue;
      seen.add(change.objectId);
      batch.push(change);
    }
    return batch;
  }

  private settle(change: PendingChange, result: ChangeResult): void {
    if (result.status === 'applied' || result.status === 'duplicate') this.acknowledge(change, result);
    else if (result.status === 'conflict') this.serverWins(change, result);
    else {
      this.store.markFailed(change.changeId, result.reason ?? 'rejected without a reason');
      this.env.log('change-rejected', { id: change.objectId, changeId: change.changeId, reason: result.reason });
    }
  }

  private acknowledge(change: PendingChange, result: ChangeResult): void {
    this.store.dequeue(change.changeId);
    const version = result.version ?? change.baseVersion + 1;
    this.store.rebase(change.objectId, version);
    const local = this.store.record(change.objectId);
    if (!local) return;
    const settled = this.store.queueOf(change.objectId).length === 0 && result.record?.version === version;
    this.store.putRecord(
      settled && result.record
        ? { ...local, fields: result.record.fields, deleted: result.record.deleted, serverVersion: version }
        : { ...local, serverVersion: version },
    );
  }

  /** Server-wins: the server's version replaces the local one and every queued change of the record. */
  private serverWins(change: PendingChange, result: ChangeResult): void {
    const discarded = this.store.queueOf(change.objectId);
    this.env.log('conflict', {
      id: change.objectId,
      policy: 'server-wins',
      serverVersion: result.record?.version,
      discardedChangeIds: discarded.map((pending) => pending.changeId),
    });
    this.store.dequeueObject(change.objectId);
    if (result.record) this.store.putServerRecord(result.record);
  }

  private async pullAll(): Promise<void> {
    for (;;) {
      const query = `?cursor=${this.store.cursor()}&limit=${this.settings.pullLimit}`;
      const page = await this.request<PullResponse>(PULL_PATH + query, { method: 'GET' });
      this.store.transaction(() => {
        const queued = this.store.queuedObjectIds();
        for (const record of page.records) if (!queued.has(record.id)) this.store.putPulled(record);
        this.store.setCursor(page.cursor);
      });
      if (!page.hasMore) return;
    }
  }

  private async request<T>(path: string, init: RequestInit): Promise<T> {
    const response = await this.env.fetch(this.settings.serverUrl + path, init);
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { error?: string };
      throw new SyncRequestError(response.status, body.error ?? response.statusText);
    }
    return (await response.json()) as T;
  }
}

function toWire(change: PendingChange): Change {
  return {
    changeId: change.changeId,
    entity: change.entity,
    id: change.objectId,
    changeType: change.changeType,
    fields: change.payload,
    baseVersion: change.baseVersion,
    clientTime: change.createdAt,
  };
}

/** A request that did not get a successful answer: the network failed it, or the server refused it. */
function isRequestFailure(error: unknown): error is Error {
  return error instanceof SyncRequestError || (error instanceof TypeError && error.message === 'fetch failed');
}
