// Applying one pushed change, in the order the protocol promises: idempotency by changeId, then
// existence and tombstone rules, conflict detection by baseVersion (a concurrent change is settled
// by the server's policy), the referential checks on what takes effect, and finally the write.
import type { ServerRecord } from '../../adapter.ts';
import type { Change, ChangeResult, ConflictPolicy } from '../../protocol/v1.ts';
import { resolveConcurrent } from './policies.ts';
import { referenceProblem } from './references.ts';
import type { ServerStore, StoredRecord } from './store.ts';

/** Either the answer, with nothing written, or the part of the change to write and how to answer once written. */
type Plan =
  | { kind: 'answer'; result: ChangeResult }
  | { kind: 'write'; effective: Change; concurrent: boolean; conflictReason?: string };

/** Applies `change`, pushed by `deviceId`, and answers it; call inside the push batch's transaction. */
export function applyChange(store: ServerStore, policy: ConflictPolicy, change: Change, deviceId: string): ChangeResult {
  const { changeId } = change;
  const earlier = store.applied(changeId);
  if (earlier) return { changeId, status: 'duplicate', version: earlier.version, record: store.find(earlier.recordId)?.record };
  // a change to a record whose tombstone was pruned meets the delete, as it would have met the tombstone
  const current = store.find(change.id) ?? store.prunedTombstone(change.entity, change.id);
  const plan = planOf(policy, change, deviceId, current);
  if (plan.kind === 'answer') return plan.result;
  const problem = referenceProblem(store, plan.effective);
  if (problem) return refusal(change, problem.status, problem.reason, current?.record);
  const record = write(store, plan.effective, deviceId, current);
  if (plan.conflictReason !== undefined) {
    return { changeId, status: 'conflict', version: record.version, record, reason: plan.conflictReason };
  }
  if (!plan.concurrent) return { changeId, status: 'applied', version: record.version, record };
  return { changeId, status: 'applied', version: record.version, record, concurrent: true, ...(current && { replaced: current.record.fields }) };
}

function planOf(policy: ConflictPolicy, change: Change, deviceId: string, current: StoredRecord | undefined): Plan {
  const { id } = change;
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

/** Writes the record's next version: fields merged over the current ones, or a tombstone for a delete. */
function write(store: ServerStore, change: Change, deviceId: string, current: StoredRecord | undefined): ServerRecord {
  const version = Math.max(current?.record.version ?? 0, store.versionFloor) + 1;
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
