// Reinstall: the user deletes the app and installs it again. The app dies, its database and data
// folder are deleted, and the fresh install boots on an empty store and pulls everything anew: what
// the server had survives; what was still only on the device is lost by the reinstall, not by the app.
import { targetDevices, type FaultModule } from './world.ts';

export const reinstall: FaultModule<'reinstall'> = (world, spec) => {
  for (const device of targetDevices(world, spec.targets)) {
    device.kill();
    device.wipe();
    // an empty store is the device as it was before its first boot: a restore to a backup taken at 0
    world.history.append({ t: world.scheduler.nowMs, type: 'restore', process: device.id, snapshotAtMs: 0, reinstall: true });
    world.boot(device);
  }
  return () => {};
};
