// Batch failure: while it lasts, the server fails pushes part-way (applies the first k changes,
// then answers 500), or applies everything and loses the answer, or rejects single changes.
import { once } from './heal.ts';
import type { FaultModule } from './world.ts';

export const batchFailure: FaultModule<'batch_failure'> = (world, spec) => {
  world.server.setBatchFailure({ mode: spec.mode, appliedCount: spec.appliedCount, rejectShare: spec.rejectShare });
  return once(() => world.server.setBatchFailure(undefined));
};
