// After a server restore (the server answers a request at an older epoch with `resync`): the device
// holds as synced what the server may have lost. Given everything the server now holds, each record
// the device holds further than the server is queued again: as the lost version itself, or with its edits.
import { uuidFrom, type DeviceEnv, type ServerRecord } from '../../adapter.ts';
import type { ChangeType } from '../../protocol/v1.ts';
import type { ConflictInbox } from './inbox.ts';
import type { LocalRecord, LocalStore } from './local-store.ts';
import type { PendingQueue } from './queue.ts';
import type { Settlement } from './settle.ts';

/**
 * Merges the server's whole state into the device's; run it in the store's transaction. A restored server
 * never reuses a version: what it wrote since the restore is above `versionFloor`, and a version at or
 * below it names one state, whoever holds it. So a record the server holds at the device's version or
 * later from before the restore is pulled as usual, the queued changes keeping their base. One the server
 * holds at an older version, or no longer at all, was lost: a device with no edits of its own on it
 * pushes its state on the lost version, which puts that version back as it was (docs/protocol.md); a
 * device with edits pushes its whole state (edits folded in) on the version the server holds. Either push
 * names the lost version (Settlement.lostBase), so that if another device put that version or a later one
 * back first, the server takes it on that; edits on an earlier one put back go on it (one line per record).
 * One written since the restore meets the device's own changes by the policy: a device with no edits pushes
 * its state on its version, so the policy settles the two, logged.
 * Returns the ids pushed again.
 */
export function resync(
  env: DeviceEnv,
  parts: { store: LocalStore; queue: PendingQueue; inbox: ConflictInbox; settlement: Settlement },
  serverRecords: ReadonlyMap<string, ServerRecord>,
  versionFloor: number,
): string[] {
  const { store, queue, inbox, settlement } = parts;
  const inConflict = inbox.recordIds();
  const held = new Set<string>();
  const repushed: string[] = [];
  // live folders first, so a note pushed again finds its folder; deleted folders last, once their notes are gone
  const local = store.allRecords().sort((a, b) => pushOrder(a) - pushOrder(b));
  for (const record of local) {
    held.add(record.id);
    const server = serverRecords.get(record.id);
    if (inConflict.has(record.id)) {
      if (server) settlement.pulled(server);
      continue;
    }
    // never acknowledged: its queued create is still to go
    if (record.serverVersion === 0 && !server) continue;
    const queued = queue.ofRecord(record.id).filter((change) => change.status !== 'failed');
    const lost = !server || server.version < record.serverVersion;
    if (!lost && (server.version <= versionFloor || queued.length > 0 || sameState(record, server))) {
      // the server holds this version or a later one: queued edits go on their base, by the policy
      settlement.pulled(server);
      continue;
    }
    const changeType = lost ? againAs(record, server) : record.deleted ? 'delete' : 'update';
    for (const change of queued) queue.remove(change.changeId);
    if (!changeType) {
      if (server) store.put({ entity: server.entity, id: server.id, fields: server.fields, serverVersion: server.version, deleted: server.deleted });
      continue;
    }
    const edited = queued.length > 0;
    const changeId = uuidFrom(env.random);
    // this change alone builds on the lost version: the user's later edits go on whatever the device holds then
    if (lost) store.setLostVersion(changeId, record.serverVersion);
    queue.enqueue(
      {
        changeId,
        objectId: record.id,
        entity: record.entity,
        changeType,
        payload: changeType === 'delete' ? {} : record.fields,
        baseVersion: edited && lost && changeType !== 'delete' ? (server?.version ?? 0) : record.serverVersion,
        // as late as its latest queued edit, else as early as can be: a state pushed again never wins under lww by being pushed late
        clientTime: Math.max(0, ...queued.map((change) => change.clientTime)),
      },
      false,
    );
    repushed.push(record.id);
  }
  for (const [id, server] of serverRecords) if (!held.has(id)) settlement.pulled(server);
  return repushed;
}

function sameState(record: LocalRecord, server: ServerRecord): boolean {
  if (record.deleted || server.deleted) return record.deleted === server.deleted;
  const names = new Set([...Object.keys(record.fields), ...Object.keys(server.fields)]);
  return [...names].every((name) => record.fields[name] === server.fields[name]);
}

function pushOrder(record: LocalRecord): number {
  if (record.entity === 'note') return 1;
  return record.deleted ? 2 : 0;
}

/**
 * How the device's state of a record the server lost goes again: nothing when both sides have it deleted.
 * A delete goes again even when the server no longer has the record: another device may put it back.
 */
function againAs(record: LocalRecord, server: ServerRecord | undefined): ChangeType | undefined {
  if (record.deleted) return server?.deleted ? undefined : 'delete';
  if (!server) return 'create';
  return server.deleted ? undefined : 'update';
}
