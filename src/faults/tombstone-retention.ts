// Tombstone retention: the server forgets deletes once they are older than a retention, as servers
// do to keep their storage bounded. A device offline longer than that can no longer learn the deletes
// from its cursor: it must resync from a snapshot and drop what the snapshot lacks, or deleted records return.
import type { FaultModule } from './world.ts';

export const tombstoneRetention: FaultModule<'tombstone_retention'> = (world, spec) => {
  const cancels: (() => void)[] = [];
  // every `everyMs` the server's cursor is marked; `olderThanMs` later the tombstones up to that mark go
  const mark = () => {
    const throughCursor = world.serverCursor();
    cancels.push(world.scheduler.after(spec.olderThanMs, () => world.pruneTombstones(throughCursor)));
    cancels.push(world.scheduler.after(spec.everyMs, mark));
  };
  mark();
  return () => cancels.forEach((cancel) => cancel());
};
