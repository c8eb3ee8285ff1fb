// The pending-change queue, shaped like the seed's PendingChange: one row per local change in the
// order the user made it, with its retry count, status and, once the server refused it, the reason.
// Callers write rows inside the transaction that changes the record, so neither exists without the other.
import type Database from 'better-sqlite3';
import type { Entity, Fields } from '../../adapter.ts';
import type { ChangeType } from '../../protocol/v1.ts';
import { SCHEMA_VERSION } from './migrations.ts';

/** `pending`: waiting to be sent (again); `syncing`: on the wire; `failed`: refused for good, kept to show the user. */
export type PendingStatus = 'pending' | 'syncing' | 'failed';

export interface PendingChange {
  /** Queue order. */
  seq: number;
  /** The seed's `id`, and the server's idempotency key. */
  changeId: string;
  objectId: string;
  entity: Entity;
  changeType: ChangeType;
  /** The fields the change sets; empty for a delete. */
  payload: Fields;
  /** The server version the change was made on; 0 for a create. */
  baseVersion: number;
  /** Device time when the change was queued, ms. */
  createdAt: number;
  /** Device time of the latest edit folded into the change, ms: what `lww` compares. */
  clientTime: number;
  /** Sends of this change that got no answer. */
  retryCount: number;
  /** Sends of this change. */
  attempts: number;
  status: PendingStatus;
  /** Why the server refused it, once `failed`. */
  reason: string | null;
}

export type NewChange = Pick<PendingChange, 'changeId' | 'objectId' | 'entity' | 'changeType' | 'payload' | 'baseVersion' | 'clientTime'>;

/** How far a record's queued changes got, for the status the UI shows. */
export interface RecordProgress {
  /** Some change was sent at least once. */
  sent: boolean;
  /** The server's reason for the record's first refused change, if one was refused. */
  failedReason: string | undefined;
}

interface PendingRow {
  seq: number;
  change_id: string;
  object_id: string;
  entity: Entity;
  change_type: ChangeType;
  payload: string;
  base_version: number;
  created_at: number;
  client_time: number;
  retry_count: number;
  attempts: number;
  status: PendingStatus;
  reason: string | null;
}

interface ProgressRow {
  object_id: string;
  sent: number;
  failed_reason: string | null;
}

/** The queue on schema `schemaVersion`; before v2 there is no `client_time`, and `created_at` serves as both. */
export class PendingQueue {
  private readonly statements;

  constructor(db: Database.Database, schemaVersion: number = SCHEMA_VERSION) {
    const times = schemaVersion >= 2 ? ['created_at', 'client_time'] : ['created_at'];
    const clientTime = times.at(-1);
    const select = `SELECT seq, change_id, object_id, entity, change_type, payload, base_version, created_at,
      ${clientTime} AS client_time, retry_count, attempts, status, reason FROM pending_changes`;
    this.statements = {
      insert: db.prepare(
        `INSERT INTO pending_changes (change_id, object_id, entity, change_type, payload, base_version, ${times.join(', ')})
         VALUES (@changeId, @objectId, @entity, @changeType, @payload, @baseVersion, ${times.map(() => '@clientTime').join(', ')})`,
      ),
      tail: db.prepare<[], PendingRow>(`${select} ORDER BY seq DESC LIMIT 1`),
      fold: db.prepare<[string, number, number]>(`UPDATE pending_changes SET payload = ?, ${clientTime} = ? WHERE seq = ?`),
      all: db.prepare<[], PendingRow>(`${select} ORDER BY seq`),
      ofRecord: db.prepare<[string], PendingRow>(`${select} WHERE object_id = ? ORDER BY seq`),
      progress: db.prepare<[], ProgressRow>(
        `SELECT object_id, MAX(attempts > 0) AS sent,
           (SELECT f.reason FROM pending_changes f WHERE f.object_id = p.object_id AND f.status = 'failed' ORDER BY f.seq LIMIT 1)
             AS failed_reason
         FROM pending_changes p GROUP BY object_id`,
      ),
      markSyncing: db.prepare<[string]>("UPDATE pending_changes SET status = 'syncing', attempts = attempts + 1 WHERE change_id = ?"),
      markRetry: db.prepare<[string]>(
        "UPDATE pending_changes SET status = 'pending', retry_count = retry_count + 1 WHERE change_id = ? AND status = 'syncing'",
      ),
      markFailed: db.prepare<[string, string]>("UPDATE pending_changes SET status = 'failed', reason = ? WHERE change_id = ?"),
      resetInterrupted: db.prepare("UPDATE pending_changes SET status = 'pending', retry_count = retry_count + 1 WHERE status = 'syncing'"),
      remove: db.prepare<[string]>('DELETE FROM pending_changes WHERE change_id = ?'),
      removeRecord: db.prepare<[string]>('DELETE FROM pending_changes WHERE object_id = ?'),
      dismissFailed: db.prepare<[string]>("DELETE FROM pending_changes WHERE object_id = ? AND status = 'failed'"),
      supersedeFailed: db.prepare<[string, number]>(
        "DELETE FROM pending_changes WHERE object_id = ? AND status = 'failed' AND change_type <> 'create' AND seq < ?",
      ),
      rebase: db.prepare<[number, string]>('UPDATE pending_changes SET base_version = ? WHERE object_id = ?'),
      rebaseUpdates: db.prepare<[number, string]>("UPDATE pending_changes SET base_version = ? WHERE object_id = ? AND change_type <> 'delete'"),
      setPayload: db.prepare<[string, string]>('UPDATE pending_changes SET payload = ? WHERE change_id = ?'),
    };
  }

  /**
   * Queues a change. With `coalesce`, an update that directly follows an update of the same record
   * still waiting to be sent for the first time is folded into it (later values win, clientTime moves
   * to this edit); nothing is ever folded into a change the server may already have seen.
   */
  enqueue(change: NewChange, coalesce: boolean): void {
    if (coalesce && change.changeType === 'update') {
      const tail = this.statements.tail.get();
      if (tail && tail.object_id === change.objectId && tail.change_type === 'update' && tail.status === 'pending' && tail.attempts === 0) {
        const payload = { ...(JSON.parse(tail.payload) as Fields), ...change.payload };
        this.statements.fold.run(JSON.stringify(payload), change.clientTime, tail.seq);
        return;
      }
    }
    this.statements.insert.run({ ...change, payload: JSON.stringify(change.payload) });
  }

  all(): PendingChange[] {
    return this.statements.all.all().map(toPendingChange);
  }

  /** The queue in order, read lazily: a caller that stops early reads no further. No other statement may run meanwhile. */
  *scan(): Generator<PendingChange> {
    for (const row of this.statements.all.iterate()) yield toPendingChange(row);
  }

  ofRecord(objectId: string): PendingChange[] {
    return this.statements.ofRecord.all(objectId).map(toPendingChange);
  }

  /** Per record with queued changes: whether any was sent, and why the first refused one was refused. */
  progress(): Map<string, RecordProgress> {
    const rows = this.statements.progress.all();
    return new Map(rows.map((row) => [row.object_id, { sent: row.sent === 1, failedReason: row.failed_reason ?? undefined }]));
  }

  markSyncing(changes: readonly PendingChange[]): void {
    for (const change of changes) this.statements.markSyncing.run(change.changeId);
  }

  /** Sent changes that got no answer wait for the next attempt. */
  markRetry(changes: readonly PendingChange[]): void {
    for (const change of changes) this.statements.markRetry.run(change.changeId);
  }

  markFailed(changeId: string, reason: string): void {
    this.statements.markFailed.run(reason, changeId);
  }

  /** Changes left on the wire by a process that died: the next push resends them (the server dedupes by changeId). */
  resetInterrupted(): void {
    this.statements.resetInterrupted.run();
  }

  /** The user acted again on a record whose changes were refused for good: the shown failure is answered. */
  dismissFailed(objectId: string): void {
    this.statements.dismissFailed.run(objectId);
  }

  /** A later change of the record was acknowledged: its refused updates and deletes before it are moot. */
  supersedeFailed(acknowledged: PendingChange): void {
    this.statements.supersedeFailed.run(acknowledged.objectId, acknowledged.seq);
  }

  remove(changeId: string): void {
    this.statements.remove.run(changeId);
  }

  removeRecord(objectId: string): void {
    this.statements.removeRecord.run(objectId);
  }

  /** The record's queued changes now build on `version`. */
  rebase(objectId: string, version: number): void {
    this.statements.rebase.run(version, objectId);
  }

  /**
   * The record's queued edits now build on `version`, a merge the user has not seen; a queued delete keeps
   * its base, so the server meets it as a delete against changes its user never saw.
   */
  rebaseUpdates(objectId: string, version: number): void {
    this.statements.rebaseUpdates.run(version, objectId);
  }

  /**
   * Takes `names` out of the record's queued edits (an edit left with no field goes), and returns what each
   * edit lost: the fields a field-merge answer kept at the server's value, which these edits wrote without having seen it.
   */
  withdrawFields(objectId: string, names: readonly string[]): Pick<PendingChange, 'changeId' | 'payload'>[] {
    if (names.length === 0) return [];
    const withdrawn: Pick<PendingChange, 'changeId' | 'payload'>[] = [];
    for (const change of this.ofRecord(objectId)) {
      if (change.changeType === 'delete') continue;
      const lost = Object.entries(change.payload).filter(([name]) => names.includes(name));
      if (lost.length === 0) continue;
      const rest = Object.entries(change.payload).filter(([name]) => !names.includes(name));
      if (rest.length === 0) this.statements.remove.run(change.changeId);
      else this.statements.setPayload.run(JSON.stringify(Object.fromEntries(rest)), change.changeId);
      withdrawn.push({ changeId: change.changeId, payload: Object.fromEntries(lost) });
    }
    return withdrawn;
  }
}

function toPendingChange(row: PendingRow): PendingChange {
  return {
    seq: row.seq,
    changeId: row.change_id,
    objectId: row.object_id,
    entity: row.entity,
    changeType: row.change_type,
    payload: JSON.parse(row.payload) as Fields,
    baseVersion: row.base_version,
    createdAt: row.created_at,
    clientTime: row.client_time,
    retryCount: row.retry_count,
    attempts: row.attempts,
    status: row.status,
    reason: row.reason,
  };
}
