// Which queued changes go to the server next, by the `ordering` knob. The seed's point: a note
// created inside a new folder depends on the folder, so changes either wait for what they depend
// on (dependency), go strictly in queue order (serial), or go all at once and may be refused (parallel).
import type { Ordering } from '../../adapter.ts';
import type { PendingChange } from './queue.ts';

/**
 * The next changes to send, in queue order, at most `limit`. Every ordering sends one change per
 * record at a time (a record's next change builds on the version the previous one produces) and
 * skips records whose create the server refused for good (they do not exist upstream); a refused
 * update or delete stays behind, shown as failed, and does not hold the record's later changes.
 */
export function selectBatch(queue: Iterable<PendingChange>, ordering: Ordering, limit: number): PendingChange[] {
  const batch: PendingChange[] = [];
  const inBatch = new Set<string>();
  const refused = new Set<string>();
  const heldBack = new Set<string>();
  let noteHeldBack = false;
  for (const change of queue) {
    if (batch.length >= limit) break;
    if (change.status === 'failed' && change.changeType === 'create') refused.add(change.objectId);
    if (change.status === 'failed' || refused.has(change.objectId)) continue;
    const waits =
      inBatch.has(change.objectId) ||
      heldBack.has(change.objectId) ||
      (ordering === 'dependency' && waitsForDependency(change, heldBack, noteHeldBack));
    if (!waits) {
      batch.push(change);
      inBatch.add(change.objectId);
      continue;
    }
    if (ordering === 'serial') break;
    heldBack.add(change.objectId);
    noteHeldBack ||= change.entity === 'note';
  }
  return batch;
}

/**
 * A note waits while its folder has an earlier change held back (its create above all: the server
 * refuses a note whose folder it does not have); a folder delete waits while any earlier note change
 * is held back, since the server refuses to delete a folder that still holds notes.
 */
function waitsForDependency(change: PendingChange, heldBack: ReadonlySet<string>, noteHeldBack: boolean): boolean {
  if (change.entity === 'note') {
    const folderId = change.payload.folderId;
    return typeof folderId === 'string' && heldBack.has(folderId);
  }
  return change.changeType === 'delete' && noteHeldBack;
}
