// Referential integrity on the server: a note may only point at a live folder, and a folder that
// live notes still point at cannot be deleted. Checked on the part of a change that takes effect,
// so an out-of-order note is refused with a reason instead of leaving a dangling folderId.
import type { Change } from '../../protocol/v1.ts';
import type { ServerStore } from './store.ts';

export interface ReferenceProblem {
  /** `rejected`: the change can never apply as sent; `conflict`: the server's record stands for now. */
  status: 'rejected' | 'conflict';
  reason: string;
}

export function referenceProblem(store: ServerStore, change: Change): ReferenceProblem | undefined {
  if (change.entity === 'note' && change.changeType !== 'delete') {
    const folderId = change.fields.folderId;
    const reason = typeof folderId === 'string' ? folderAbsence(store, folderId) : undefined;
    return reason === undefined ? undefined : { status: 'rejected', reason };
  }
  if (change.entity === 'folder' && change.changeType === 'delete') {
    const noteCount = store.liveNoteCount(change.id);
    if (noteCount === 0) return undefined;
    return { status: 'conflict', reason: `folder ${change.id} still holds ${noteCount} ${noteCount === 1 ? 'note' : 'notes'}` };
  }
  return undefined;
}

function folderAbsence(store: ServerStore, folderId: string): string | undefined {
  const folder = store.find(folderId)?.record;
  if (!folder || folder.entity !== 'folder') return `folder ${folderId} does not exist`;
  return folder.deleted ? `folder ${folderId} was deleted` : undefined;
}
