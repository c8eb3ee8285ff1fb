// Partition: devices lose the server. `drop` is airplane mode (messages vanish, requests fail);
// `hold` queues every message until heal, as a stalled connection does; `response-lost` lets
// requests reach the server and loses the answers: the mid-request cut that makes retries matter.
import { healAll, once, type FaultModule } from './world.ts';

export const partition: FaultModule<'partition'> = (world, spec) =>
  healAll(
    spec.targets.map((link) => {
      if (spec.mode !== 'response-lost') return world.links.hold(link, spec.mode === 'drop' ? 'partitioned' : 'held');
      world.network.blockDirection(link, 'to-device', true);
      return once(() => world.network.blockDirection(link, 'to-device', false));
    }),
  );
