// Partition: devices lose the server. `drop` is airplane mode (messages vanish, requests fail);
// `hold` queues every message until heal, as a stalled connection does; `response-lost` lets
// requests reach the server and loses the answers: the mid-request cut that makes retries matter.
import { healAll } from './heal.ts';
import type { FaultModule } from './world.ts';

const HOLDERS = { drop: 'partitioned', hold: 'held', 'response-lost': 'response-lost' } as const;

export const partition: FaultModule<'partition'> = (world, spec) =>
  healAll(spec.targets.map((link) => world.links.hold(link, HOLDERS[spec.mode])));
