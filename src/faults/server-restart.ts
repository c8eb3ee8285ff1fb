// Server restart: the server process goes down (connections are refused) and comes back after
// `downMs` as a new process over the same database: committed data must survive, and so must
// idempotency, so a change replayed after the restart is still a duplicate.
import { once } from './heal.ts';
import type { FaultModule } from './world.ts';

export const serverRestart: FaultModule<'server_restart'> = (world, spec) => {
  world.stopServer();
  const up = once(() => world.restartServer());
  const cancel = world.scheduler.after(spec.downMs, up);
  return () => {
    cancel();
    up();
  };
};
