// Sync as a state machine: collect pending changes in order, push them in batches, settle each
// answer, then pull from the cursor (or resync from a snapshot when the server pruned tombstones past
// it); while syncs fail, retry with backoff inside the hourly budget.
// Triggers: launch, a periodic timer, a debounce after local writes, and sync(); one run at a time.
// A server restored from a backup answers `resync`: pull everything, push again what it lost, go on.
import type { DeviceEnv, Ordering, ServerRecord } from '../../adapter.ts';
import {
  EPOCH_HEADER,
  PULL_PATH,
  PUSH_PATH,
  RESYNC_ERROR,
  RESYNC_STATUS,
  type Change,
  type PullResponse,
  type PushRequest,
  type PushResponse,
  type RestoredResponse,
} from '../../protocol/v1.ts';
import type { RetryState } from './backoff.ts';
import type { ConflictInbox } from './inbox.ts';
import type { LocalStore } from './local-store.ts';
import { selectBatch } from './ordering.ts';
import type { PendingChange, PendingQueue } from './queue.ts';
import { resync } from './resync.ts';
import type { Settlement } from './settle.ts';

export interface SyncSettings {
  serverUrl: string;
  batchSize: number;
  pullLimit: number;
  syncIntervalMs: number;
  debounceMs: number;
  ordering: Ordering;
}

/**
 * Who asked for a sync. `foreground` (launch, pull-to-refresh, resume) always runs at once; `retry`
 * is the backoff timer; `poke` is the server saying it has news, so it is reachable: it runs at once
 * too; `background` (periodic timer, debounce) stays quiet while syncs are failing, so it never
 * bypasses the backoff.
 */
type Trigger = 'background' | 'retry' | 'poke' | 'foreground';
const TRIGGER_RANK: Record<Trigger, number> = { background: 0, retry: 1, poke: 1, foreground: 2 };

/** The server answered, but not with success, or not with everything it should have. */
class SyncRequestError extends Error {
  constructor(
    readonly status: number | undefined,
    reason: string,
  ) {
    super(status === undefined ? reason : `server answered ${status}: ${reason}`);
  }

  /** A 4xx other than 408 and 429 refuses the request itself: sending it again cannot help. */
  get permanent(): boolean {
    const { status } = this;
    return status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
  }
}

/** The server is at a later epoch than the device: it was restored from a backup, and the device must resync. */
class ResyncNeeded extends SyncRequestError {
  constructor(
    readonly epoch: number,
    readonly versionFloor: number,
  ) {
    super(409, `${RESYNC_ERROR}: the server is at epoch ${epoch}`);
  }

  override get permanent(): boolean {
    return false;
  }
}

export class SyncEngine {
  private running: Promise<void> | undefined;
  private followUp: Promise<void> | undefined;
  private followUpTrigger: Trigger = 'background';
  private cancelRetry: () => void = () => {};
  private cancelDebounce: () => void = () => {};
  /**
   * The server epoch requests are made at, once this process heard of a restore; until then none is sent,
   * which the server takes as epoch 1. Kept in memory: the stored one is read only when a `resync` comes.
   */
  private epoch: number | undefined;

  constructor(
    private readonly env: DeviceEnv,
    private readonly store: LocalStore,
    private readonly queue: PendingQueue,
    private readonly inbox: ConflictInbox,
    private readonly settlement: Settlement,
    private readonly retry: RetryState,
    private readonly settings: SyncSettings,
  ) {}

  /** Launch: a sync at once, then one every `syncIntervalMs`. */
  start(): void {
    void this.trigger('foreground');
    const tick = () => {
      void this.trigger('background');
      this.env.setTimeout(tick, this.settings.syncIntervalMs);
    };
    this.env.setTimeout(tick, this.settings.syncIntervalMs);
  }

  /**
   * Pull-to-refresh or resume: pushes everything pending (retrying what the network failed, at once),
   * then pulls. While a sync runs, callers share one follow-up sync that starts when it ends, so a
   * change made before the call is always pushed before the call resolves.
   */
  sync(): Promise<void> {
    return this.trigger('foreground');
  }

  /** A local write: sync `debounceMs` after the last one (never, for an infinite debounce). */
  afterLocalWrite(): void {
    if (!Number.isFinite(this.settings.debounceMs)) return;
    this.cancelDebounce();
    this.cancelDebounce = this.env.setTimeout(() => void this.trigger('background'), this.settings.debounceMs);
  }

  /** The server poked: another device's change is there to pull. */
  poked(): void {
    void this.trigger('poke');
  }

  private trigger(trigger: Trigger): Promise<void> {
    if (this.running) {
      if (TRIGGER_RANK[trigger] > TRIGGER_RANK[this.followUpTrigger]) this.followUpTrigger = trigger;
      const startFollowUp = () => {
        const queued = this.followUpTrigger;
        this.followUp = undefined;
        this.followUpTrigger = 'background';
        return this.trigger(queued);
      };
      this.followUp ??= this.running.then(startFollowUp, startFollowUp);
      return this.followUp;
    }
    if (trigger === 'background' && this.retry.failing) return Promise.resolve();
    this.running = this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<void> {
    this.cancelRetry();
    try {
      await this.exchange();
    } catch (error) {
      if (!isRequestFailure(error)) throw error;
      const retryInMs = this.retry.failed();
      this.env.log('sync-failed', { reason: error.message, failures: this.retry.failures, retryInMs });
      this.cancelRetry = this.env.setTimeout(() => void this.trigger('retry'), retryInMs);
      return;
    }
    this.retry.succeeded();
  }

  /** Pushes, then pulls; a server that answers `resync` gets the device's resync first, and the two again. */
  private async exchange(): Promise<void> {
    try {
      await this.pushAll();
      await this.pullAll();
    } catch (error) {
      if (!(error instanceof ResyncNeeded)) throw error;
      // a device that resynced at this epoch before it last died only needs to say so
      if (this.store.epoch() === error.epoch) this.atEpoch(error.epoch);
      else await this.resync(error.epoch, error.versionFloor);
      await this.pushAll();
      await this.pullAll();
    }
  }

  /**
   * Pulls the restored server's whole state at its new epoch, then in one transaction queues again what
   * it lost (resync.ts) and moves to its cursor and epoch: a resync the app dies in starts over at launch.
   */
  private async resync(epoch: number, versionFloor: number): Promise<void> {
    const records = new Map<string, ServerRecord>();
    let cursor = 0;
    for (let hasMore = true; hasMore; ) {
      // a snapshot: the restored server may have pruned tombstones since its cursor 0
      const page = await this.pull(cursor, epoch, true);
      for (const record of page.records) records.set(record.id, record);
      cursor = page.cursor;
      hasMore = page.hasMore;
    }
    const { store, queue, inbox, settlement } = this;
    const repushedIds = store.transaction(() => {
      const repushed = resync(this.env, { store, queue, inbox, settlement }, records, versionFloor);
      store.setCursor(cursor);
      store.setEpoch(epoch);
      return repushed;
    });
    this.atEpoch(epoch);
    this.env.log('server-restored', { epoch, repushedIds });
  }

  private atEpoch(epoch: number): void {
    this.epoch = epoch;
    this.settlement.restored();
  }

  private async pushAll(): Promise<void> {
    const { ordering, batchSize } = this.settings;
    for (let batch = selectBatch(this.queue.scan(), ordering, batchSize); batch.length > 0; ) {
      if (ordering === 'parallel') await this.pushEach(batch);
      else await this.push(batch);
      batch = selectBatch(this.queue.scan(), ordering, batchSize);
    }
  }

  /** Parallel ordering: every change in its own request, all at once. */
  private async pushEach(batch: readonly PendingChange[]): Promise<void> {
    const outcomes = await Promise.allSettled(batch.map((change) => this.push([change])));
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
  }

  /** One push request: a 4xx fails its changes for good; a lost or 5xx answer leaves them queued and fails the sync. */
  private async push(batch: readonly PendingChange[]): Promise<void> {
    this.store.transaction(() => this.queue.markSyncing(batch));
    let response: PushResponse;
    try {
      response = await this.request<PushResponse>(PUSH_PATH, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.epochHeader(this.epoch) },
        body: JSON.stringify({ deviceId: this.env.deviceId, changes: batch.map((change) => toWire(change, this.settlement.lostBase(change))) } satisfies PushRequest),
      });
    } catch (error) {
      if (error instanceof SyncRequestError && error.permanent) {
        this.store.transaction(() => batch.forEach((change) => this.settlement.refuse(change, error.message)));
        return;
      }
      this.store.transaction(() => this.queue.markRetry(batch));
      throw error;
    }
    const results = new Map(response.results.map((result) => [result.changeId, result]));
    const unanswered = this.store.transaction(() => {
      const missing = batch.filter((change) => !results.has(change.changeId));
      for (const change of batch) {
        const result = results.get(change.changeId);
        if (result) this.settlement.settle(change, result);
      }
      this.queue.markRetry(missing);
      return missing.length;
    });
    if (unanswered > 0) throw new SyncRequestError(undefined, `the server answered no result for ${unanswered} of ${batch.length} changes`);
  }

  private async pullAll(): Promise<void> {
    try {
      await this.pullPages(false);
    } catch (error) {
      if (!(error instanceof SyncRequestError && error.status === RESYNC_STATUS)) throw error;
      await this.pullPages(true);
    }
  }

  /**
   * Pages to the server's head: from the cursor, or for a snapshot from 0, keeping the stored cursor
   * until the last page, so a resync cut short starts again; then the records it lacks are dropped.
   */
  private async pullPages(snapshot: boolean): Promise<void> {
    const seen = new Set<string>();
    for (let cursor = snapshot ? 0 : this.store.cursor(); ; ) {
      const page = await this.pull(cursor, this.epoch, snapshot);
      cursor = page.cursor;
      this.store.transaction(() => {
        for (const record of page.records) {
          this.settlement.pulled(record);
          seen.add(record.id);
        }
        if (snapshot && !page.hasMore) this.settlement.resynced(seen);
        if (!snapshot || !page.hasMore) this.store.setCursor(page.cursor);
      });
      if (!page.hasMore) return;
    }
  }

  private pull(cursor: number, epoch: number | undefined, snapshot: boolean): Promise<PullResponse> {
    const query = `?cursor=${cursor}&limit=${this.settings.pullLimit}${snapshot ? '&snapshot=true' : ''}`;
    return this.request<PullResponse>(PULL_PATH + query, { method: 'GET', headers: this.epochHeader(epoch) });
  }

  /** The epoch a request is made at, none before the process heard of a restore: a server at another answers `resync`. */
  private epochHeader(epoch: number | undefined): Record<string, string> {
    return epoch === undefined ? {} : { [EPOCH_HEADER]: String(epoch) };
  }

  private async request<T>(path: string, init: RequestInit): Promise<T> {
    const response = await this.env.fetch(this.settings.serverUrl + path, init);
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as Partial<RestoredResponse>;
      const serverEpoch = Number(response.headers.get(EPOCH_HEADER) ?? Number.NaN);
      if (response.status === 409 && body.error === RESYNC_ERROR && Number.isInteger(serverEpoch)) {
        throw new ResyncNeeded(serverEpoch, body.versionFloor ?? 0);
      }
      throw new SyncRequestError(response.status, body.error ?? response.statusText);
    }
    return (await response.json()) as T;
  }
}

function toWire(change: PendingChange, lostVersion: number | undefined): Change {
  return {
    changeId: change.changeId,
    entity: change.entity,
    id: change.objectId,
    changeType: change.changeType,
    fields: change.payload,
    baseVersion: change.baseVersion,
    clientTime: change.clientTime,
    ...(lostVersion !== undefined && { lostVersion }),
  };
}

/** A request that did not get the answer it needed: the network failed it, or the server did. */
function isRequestFailure(error: unknown): error is Error {
  return error instanceof SyncRequestError || (error instanceof TypeError && error.message === 'fetch failed');
}
