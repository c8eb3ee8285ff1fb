// Applying one pushed change, in the order the protocol promises: idempotency by changeId, then
// existence and tombstone rules, conflict detection by baseVersion (a concurrent change is settled
// by the server's policy), the referential checks on what takes effect, and finally the write.
// After a restore, a change on a version the server lost puts that version back (docs/protocol.md).
import type { ServerRecord } from '../../adapter.ts';
import type { Change, ChangeResult, ConflictPolicy } from '../../protocol/v1.ts';
import { resolveConcurrent } from './policies.ts';
import { referenceProblem } from './references.ts';
import type { ServerStore, StoredRecord } from './store.ts';

/** Either the answer, with nothing written, or the part of the change to write and how to answer once written. */
type Plan =
  | { kind: 'answer'; result: ChangeResult }
  | { kind: 'write'; effective: Change; concurrent: boolean; conflictReason?: string; atVersion?: number };

/** Applies `change`, pushed by `deviceId`, and answers it; call inside the push batch's transaction. */
export function applyChange(store: ServerStore, policy: ConflictPolicy, pushed: Change, deviceId: string): ChangeResult {
  const { changeId } = pushed;
  const earlier = store.applied(changeId);
  if (earlier) return { changeId, status: 'duplicate', version: earlier.version, record: store.find(earlier.recordId)?.record };
  // a change to a record whose tombstone was pruned meets the delete, as it would have met the tombstone
  const current = store.find(pushed.id) ?? store.prunedTombstone(pushed.entity, pushed.id);
  const change = onLostVersion(pushed, current, store.versionFloor);
  const plan = planOf(policy, change, deviceId, current, store.versionFloor);
  if (plan.kind === 'answer') return plan.result;
  const problem = referenceProblem(store, plan.effective);
  if (problem) return refusal(change, problem.status, problem.reason, current?.record);
  const record = write(store, plan.effective, deviceId, current, plan.atVersion);
  if (plan.conflictReason !== undefined) {
    return { changeId, status: 'conflict', version: record.version, record, reason: plan.conflictReason };
  }
  if (!plan.concurrent) return { changeId, status: 'applied', version: record.version, record };
  return { changeId, status: 'applied', version: record.version, record, concurrent: true, ...(current && { replaced: current.record.fields }) };
}

function planOf(policy: ConflictPolicy, change: Change, deviceId: string, current: StoredRecord | undefined, versionFloor: number): Plan {
  const { id } = change;
  const later = laterLostVersionBack(change, current, versionFloor);
  // the device's state is an older version on the same line: it has nothing the server lacks, and takes the record
  if (later) return { kind: 'answer', result: { changeId: change.changeId, status: 'applied', version: later.version, record: later } };
  if (restores(change, current, versionFloor)) {
    // a tombstone ends the record, whichever version it was made on: it takes the next version
    return { kind: 'write', effective: change, concurrent: false, ...(change.changeType !== 'delete' && { atVersion: change.baseVersion }) };
  }
  if (change.changeType === 'create') {
    if (current) return answer(change, 'rejected', `record ${id} already exists`, current.record);
    return { kind: 'write', effective: change, concurrent: false };
  }
  if (!current) return answer(change, 'rejected', `record ${id} does not exist`);
  const { record } = current;
  if (record.entity !== change.entity) {
    return answer(change, 'rejected', `record ${id} is a ${record.entity}, not a ${change.entity}`, record);
  }
  if (change.baseVersion > record.version) {
    const reason = `baseVersion ${change.baseVersion} is ahead of record ${id} at version ${record.version}`;
    return answer(change, 'rejected', reason, record);
  }
  const concurrent = change.baseVersion < record.version;
  if (!concurrent && change.baseVersion <= versionFloor && changesNothing(change, record)) {
    // another device put this lost version back first: this change is the same state again
    return { kind: 'answer', result: { changeId: change.changeId, status: 'applied', version: record.version, record } };
  }
  if (record.deleted) {
    return concurrent
      ? answer(change, 'conflict', `record ${id} was deleted at version ${record.version}`, record)
      : answer(change, 'rejected', `record ${id} was deleted`, record);
  }
  if (!concurrent) return { kind: 'write', effective: change, concurrent: false };
  const resolution = resolveConcurrent(policy, { change, deviceId, current });
  switch (resolution.outcome) {
    case 'server-kept':
      return answer(change, 'conflict', resolution.reason, record);
    case 'change-applied':
      return { kind: 'write', effective: change, concurrent: true };
    case 'fields-merged':
      return {
        kind: 'write',
        effective: { ...change, fields: resolution.fields },
        concurrent: true,
        conflictReason: resolution.reason,
      };
  }
}

/**
 * After a restore, a change whose baseVersion is one the server handed out before (at or below the
 * version floor) but above the record's version now (or the record is gone) was made by a device that
 * held the record at that lost version. A create or an update carries the state the server had at that
 * version (the device has nothing of its own on top), so the server writes it back at that same
 * version: no version is reused for another state. Versions before the restore follow one line per
 * record, so a later lost version is built on the one the server holds: a create of it (the device saw
 * the record gone at its resync, before another device put an earlier version back) goes back at its
 * version too. A delete was made on it, so the record ends.
 * A device with edits of its own on a live record pushes them on the version the server holds.
 */
function restores(change: Change, current: StoredRecord | undefined, versionFloor: number): boolean {
  const { baseVersion } = change;
  if (baseVersion === 0 || baseVersion > versionFloor || baseVersion <= (current?.record.version ?? 0)) return false;
  if (current?.record.deleted || (current && current.record.entity !== change.entity)) return false;
  // a device that held a later lost version than the one another device put back first pushes it as it saw the server at its resync: as a create when the record was gone
  return change.changeType === 'delete' || change.changeType === 'create' || (current !== undefined && change.changeType === 'update');
}

/**
 * A change pushed again after a restore on an older version than the lost one its state builds on, when the
 * server holds that lost version again, or an earlier one from before the restore (another device put it back
 * first): versions before the restore follow one line per record, so the state was built on the one the server
 * holds, and the change goes on it, no concurrent change there; a create (the device saw the record gone at its
 * resync) as an update.
 */
function onLostVersion(change: Change, current: StoredRecord | undefined, versionFloor: number): Change {
  const { lostVersion, baseVersion } = change;
  if (lostVersion === undefined || lostVersion > versionFloor || lostVersion <= baseVersion || !current) return change;
  const { version, deleted } = current.record;
  if (version > lostVersion || version < baseVersion || deleted) return change;
  return { ...change, baseVersion: version, changeType: change.changeType === 'create' ? 'update' : change.changeType };
}

/**
 * A lost version put back (a change on its own lost version, naming it) that meets a later version from before
 * the restore, which another device put back first: versions before the restore follow one line per record.
 */
function laterLostVersionBack(change: Change, current: StoredRecord | undefined, versionFloor: number): ServerRecord | undefined {
  const record = current?.record;
  if (change.lostVersion !== change.baseVersion || change.changeType === 'delete' || !record || record.deleted || record.entity !== change.entity) return undefined;
  return change.baseVersion < record.version && record.version <= versionFloor ? record : undefined;
}

/** Whether `change` leaves `record` as it is: the same fields, or a delete of a tombstone. */
function changesNothing(change: Change, record: ServerRecord): boolean {
  if (change.changeType === 'delete') return record.deleted;
  return !record.deleted && change.changeType === 'update' && Object.entries(change.fields).every(([name, value]) => record.fields[name] === value);
}

/** Writes the record's next version (or `atVersion`, a lost one put back): fields merged over the current ones, or a tombstone for a delete. */
function write(store: ServerStore, change: Change, deviceId: string, current: StoredRecord | undefined, atVersion?: number): ServerRecord {
  const version = atVersion ?? Math.max(current?.record.version ?? 0, store.versionFloor) + 1;
  const before = current?.record.fields ?? {};
  const deleted = change.changeType === 'delete';
  const changedNames = deleted
    ? []
    : Object.keys(change.fields).filter((name) => !Object.hasOwn(before, name) || before[name] !== change.fields[name]);
  const record: ServerRecord = {
    entity: change.entity,
    id: change.id,
    fields: deleted ? before : { ...before, ...change.fields },
    version,
    deleted,
  };
  const fieldVersions = new Map(current?.fieldVersions);
  for (const name of changedNames) fieldVersions.set(name, version);
  store.write({ record, fieldVersions, clientTimeMs: change.clientTime, deviceId }, change.changeId);
  return record;
}

function answer(change: Change, status: Refusal, reason: string, record?: ServerRecord): Plan {
  return { kind: 'answer', result: refusal(change, status, reason, record) };
}

type Refusal = 'rejected' | 'conflict';

function refusal(change: Change, status: Refusal, reason: string, record: ServerRecord | undefined): ChangeResult {
  return { changeId: change.changeId, status, reason, ...(record && { record }) };
}
