// Merging what the server says into local state, by the conflict policy: acknowledge a pushed
// change (later changes of the record then build on its version), adopt the server's record, keep
// a field merge, open a manual conflict, or store a pulled record. Every conflict is logged.
import { type DeviceEnv, type Fields, type ServerRecord, uuidFrom } from '../../adapter.ts';
import type { ChangeResult, ConflictPolicy } from '../../protocol/v1.ts';
import type { ConflictInbox } from './inbox.ts';
import type { LocalStore } from './local-store.ts';
import type { PendingChange, PendingQueue } from './queue.ts';

/**
 * What a conflict did: `server-kept` (the local changes listed lost), `merged` (part of the change
 * applied; the fields listed kept the server's value), `applied-over-concurrent` (the change won over,
 * or merged cleanly with, a change it had not seen), `inbox` (both versions wait for the user).
 */
type ConflictOutcome = 'server-kept' | 'merged' | 'applied-over-concurrent' | 'inbox';

/** A local change, or the part of it, that a conflict discarded. */
type Discarded = Pick<PendingChange, 'changeId' | 'payload'>;

export class Settlement {
  /** This process heard of a server restore: a change may build on a version the restore lost (lostBase). */
  private afterRestore = false;

  constructor(
    private readonly env: DeviceEnv,
    private readonly store: LocalStore,
    private readonly queue: PendingQueue,
    private readonly inbox: ConflictInbox,
    private readonly policy: ConflictPolicy,
  ) {}

  /** Applies the server's answer for `change`; run it in the store's transaction. */
  settle(change: PendingChange, result: ChangeResult): void {
    if (result.status === 'applied' || result.status === 'duplicate') this.acknowledge(change, result);
    else if (result.status === 'conflict') this.conflict(change, result);
    else if (change.changeType === 'create' && result.record) this.createMet(change, result, result.record);
    else this.refuse(change, result.reason ?? 'rejected without a reason');
  }

  /** The server was restored, and this process resynced with it, or had before it last died. */
  restored(): void {
    this.afterRestore = true;
  }

  /**
   * After a server restore, the lost version a change the resync queued builds on (its own base, or above it
   * when the change folds edits onto the older version the server held), while the device still holds the
   * record at it: pushed with the change, so that a server another device gave that version, or a later one,
   * back first takes the change on it, and edits on an earlier one (docs/protocol.md). A user's later edit names none.
   */
  lostBase(change: PendingChange): number | undefined {
    if (!this.afterRestore) return undefined;
    const lost = this.store.lostVersion(change.changeId);
    if (lost === undefined || change.baseVersion > lost) return undefined;
    return this.store.record(change.entity, change.objectId)?.serverVersion === lost ? lost : undefined;
  }

  /**
   * A create refused because the record exists: after a server restore, another device pushed the
   * same lost record again first. What the server holds is the create's when every field agrees;
   * otherwise the two met concurrently, and the policy settles it as a conflict, logged.
   */
  private createMet(change: PendingChange, result: ChangeResult, server: ServerRecord): void {
    const same = !server.deleted && Object.entries(change.payload).every(([name, value]) => server.fields[name] === value);
    if (same) this.acknowledge(change, { ...result, status: 'applied', version: server.version });
    else this.conflict(change, { ...result, status: 'conflict' });
  }

  /** A pulled record: stored unless local edits of it wait to be sent, and shown as the server side of its open conflict. */
  pulled(record: ServerRecord): void {
    this.store.putPulled(record);
    this.inbox.serverMoved(record);
  }

  /**
   * A resync's snapshot is complete: a synced record it lacks was deleted and its tombstone pruned, so
   * it is deleted here too, unless local edits of it wait to be sent or resolved (they meet the delete when pushed).
   */
  resynced(seen: ReadonlySet<string>): void {
    const dropped = this.store.settledRecords().filter((record) => !seen.has(record.id));
    for (const { entity, id } of dropped) {
      const local = this.store.record(entity, id);
      if (local) this.store.put({ ...local, deleted: true });
    }
    this.env.log('resynced', { dropped: dropped.map((record) => record.id) });
  }

  /** The server refused the change for good: it stays queued as `failed`, with the reason, for the user to see. */
  refuse(change: PendingChange, reason: string): void {
    this.queue.markFailed(change.changeId, reason);
    this.env.log('change-rejected', { id: change.objectId, entity: change.entity, changeId: change.changeId, reason });
  }

  private acknowledge(change: PendingChange, result: ChangeResult): void {
    const version = result.version ?? result.record?.version;
    if (version === undefined) throw new Error(`the server acknowledged change ${change.changeId} without a version`);
    this.queue.remove(change.changeId);
    this.queue.supersedeFailed(change);
    this.queue.rebase(change.objectId, version);
    if (result.record?.version === version) this.adopt(result.record);
    else {
      // A replay answered with a record that has moved on since: the pull brings the newer version.
      const local = this.store.record(change.entity, change.objectId);
      if (local) this.store.put({ ...local, serverVersion: version });
    }
    if (result.concurrent) this.log(change, result, 'applied-over-concurrent', [], { replacedPayload: result.replaced ?? null });
  }

  private conflict(change: PendingChange, result: ChangeResult): void {
    const server = result.record;
    if (!server) return this.refuse(change, `conflict without the server's record: ${result.reason ?? 'no reason given'}`);
    if (this.policy === 'server-wins' || change.changeType === 'delete' || server.deleted) return this.serverWins(change, result, server);
    if (this.policy === 'manual') return this.openConflict(change, result, server);
    this.queue.remove(change.changeId);
    if (result.version === undefined) {
      // lww (the server's change is later) or field-merge (every field changed on both sides): the change lost.
      // Later changes keep their base, so the server judges each of them by the policy too.
      this.adopt(server);
      return this.log(change, result, 'server-kept', [change]);
    }
    // field-merge wrote the fields nobody else changed: later edits build on the merged version (a delete
    // stays on what its user saw, or it would remove fields they never saw without a word: policy-field-merge seed 45).
    // A field that kept the server's value was changed by another device the user never saw: a later edit of it
    // was made on the device's own value too, so it loses the same way, logged, rather than go on the merged
    // version and replace the other device's value unsaid (policy-field-merge seed 207).
    const kept = Object.entries(change.payload).filter(([name, value]) => server.fields[name] !== value);
    const withdrawn = this.queue.withdrawFields(change.objectId, kept.map(([name]) => name));
    this.queue.rebaseUpdates(change.objectId, result.version);
    this.adopt(server);
    this.log(change, result, 'merged', [{ changeId: change.changeId, payload: Object.fromEntries(kept) }, ...withdrawn]);
  }

  /** The server's record replaces the local one, and every queued change of the record is dropped. */
  private serverWins(change: PendingChange, result: ChangeResult, server: ServerRecord): void {
    const discarded = this.queue.ofRecord(change.objectId);
    this.queue.removeRecord(change.objectId);
    this.adopt(server);
    this.log(change, result, 'server-kept', discarded);
  }

  /** Manual: both versions go to the inbox with the record's queued changes; the device keeps showing its own. */
  private openConflict(change: PendingChange, result: ChangeResult, server: ServerRecord): void {
    const held = this.queue.ofRecord(change.objectId);
    this.queue.removeRecord(change.objectId);
    const conflictId = uuidFrom(this.env.random);
    this.inbox.add({
      conflictId,
      entity: change.entity,
      id: change.objectId,
      local: this.store.record(change.entity, change.objectId)?.fields ?? {},
      server: server.fields,
      serverVersion: server.version,
      localChanges: held.map(({ changeId, changeType, payload }) => ({ changeId, changeType, payload })),
    });
    this.log(change, result, 'inbox', [], { conflictId });
  }

  /** The local record becomes `server` with the record's still-queued changes on top, as the user made them. */
  private adopt(server: ServerRecord): void {
    let fields: Fields = server.fields;
    let deleted = server.deleted;
    for (const later of this.queue.ofRecord(server.id)) {
      if (later.changeType === 'delete') deleted = true;
      else fields = { ...fields, ...later.payload };
    }
    this.store.put({ entity: server.entity, id: server.id, fields, serverVersion: server.version, deleted });
  }

  private log(
    change: PendingChange,
    result: ChangeResult,
    outcome: ConflictOutcome,
    discarded: readonly Discarded[],
    extra: Record<string, unknown> = {},
  ): void {
    this.env.log('conflict', {
      id: change.objectId,
      entity: change.entity,
      policy: this.policy,
      outcome,
      changeId: change.changeId,
      serverVersion: result.record?.version,
      reason: result.reason,
      discardedChangeIds: discarded.map((lost) => lost.changeId),
      discardedPayloads: discarded.map((lost) => lost.payload),
      ...extra,
    });
  }
}
