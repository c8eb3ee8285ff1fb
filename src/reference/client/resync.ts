// After a server restore (the server answers a request at an older epoch with `resync`): the device
// holds as synced what the server may have lost. Given everything the server now holds, each record
// the device holds further than the server is queued again as one change of its whole local state.
import { uuidFrom, type DeviceEnv, type ServerRecord } from '../../adapter.ts';
import type { ChangeType } from '../../protocol/v1.ts';
import type { ConflictInbox } from './inbox.ts';
import type { LocalRecord, LocalStore } from './local-store.ts';
import type { PendingChange, PendingQueue } from './queue.ts';
import type { Settlement } from './settle.ts';

/**
 * Merges the server's whole state into the device's; run it in the store's transaction. A restored server
 * never reuses a version: what it wrote since the restore is above `versionFloor`. A record it holds from
 * the backup at the device's version or later is pulled as usual, the queued changes keeping their base.
 * One it holds from the backup at an older version, or no longer at all, after it had acknowledged the
 * device's, is pushed again as the device shows it, on the server's version. One written since the restore
 * that the device holds otherwise is pushed again on the device's version, so the policy settles the two,
 * logged. A record pushed again carries its queued changes folded in. Returns the ids pushed again.
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
  // folders first, so a note pushed again finds its folder queued before it
  const local = store.allRecords().sort((a, b) => (a.entity === b.entity ? 0 : a.entity === 'folder' ? -1 : 1));
  for (const record of local) {
    held.add(record.id);
    const server = serverRecords.get(record.id);
    if (inConflict.has(record.id)) {
      if (server) settlement.pulled(server);
      continue;
    }
    // never acknowledged: its queued create is still to go
    if (record.serverVersion === 0 && !server) continue;
    const sinceRestore = server !== undefined && server.version > versionFloor && record.serverVersion > 0 && !sameState(record, server);
    if (server && record.serverVersion <= server.version && !sinceRestore) {
      settlement.pulled(server);
      continue;
    }
    const queued = queue.ofRecord(record.id).filter((change) => change.status !== 'failed');
    if (sinceRestore && queued.length > 0 && server && !server.deleted && agreesBesides(record, server, queued)) {
      // another device pushed again the state these queued edits were made on: they build on it
      queue.rebase(record.id, server.version);
      store.put({ ...record, serverVersion: server.version });
      continue;
    }
    const changeType = sinceRestore ? (record.deleted ? 'delete' : 'update') : againAs(record, server);
    const folded = queued;
    for (const change of folded) queue.remove(change.changeId);
    if (!changeType) {
      if (server) store.put({ entity: server.entity, id: server.id, fields: server.fields, serverVersion: server.version, deleted: server.deleted });
      continue;
    }
    const baseVersion = sinceRestore ? record.serverVersion : (server?.version ?? 0);
    queue.enqueue(
      {
        changeId: uuidFrom(env.random),
        objectId: record.id,
        entity: record.entity,
        changeType,
        payload: changeType === 'delete' ? {} : record.fields,
        baseVersion,
        // as late as its latest queued edit, else as early as can be: a state pushed again never wins under lww by being pushed late
        clientTime: Math.max(0, ...folded.map((change) => change.clientTime)),
      },
      false,
    );
    store.put({ ...record, serverVersion: baseVersion });
    repushed.push(record.id);
  }
  for (const [id, server] of serverRecords) if (!held.has(id)) settlement.pulled(server);
  return repushed;
}

/** Whether the server's record holds the device's value of every field its queued changes leave alone. */
function agreesBesides(record: LocalRecord, server: ServerRecord, queued: readonly PendingChange[]): boolean {
  const touched = new Set(queued.flatMap((change) => Object.keys(change.payload)));
  const names = new Set([...Object.keys(record.fields), ...Object.keys(server.fields)]);
  return [...names].every((name) => touched.has(name) || record.fields[name] === server.fields[name]);
}

function sameState(record: LocalRecord, server: ServerRecord): boolean {
  if (record.deleted || server.deleted) return record.deleted === server.deleted;
  const names = new Set([...Object.keys(record.fields), ...Object.keys(server.fields)]);
  return [...names].every((name) => record.fields[name] === server.fields[name]);
}

/** How the device's state of a record the server lost goes again: nothing when both sides have it deleted, or the server never had it. */
function againAs(record: LocalRecord, server: ServerRecord | undefined): ChangeType | undefined {
  if (record.deleted) return server && !server.deleted ? 'delete' : undefined;
  if (!server) return 'create';
  return server.deleted ? undefined : 'update';
}
