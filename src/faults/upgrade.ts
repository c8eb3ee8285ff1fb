// Upgrade: the app is updated between two boots. A device an upgrade names runs an older build from
// the start (`fromVersion`); at `at` its app dies at an await and the latest build boots over the old
// database and the old build's pending changes. With `fail` the last migration fails until the heal.
import type { Device } from '../device/device.ts';
import type { FaultSpec, ScheduledFault } from '../scenario/fault-specs.ts';
import { once } from './heal.ts';
import { targetDevices, type FaultModule, type FaultWorld } from './world.ts';

export const upgrade: FaultModule<'upgrade'> = (world, spec) => {
  const install = (failing: boolean) => {
    for (const device of targetDevices(world, spec.targets)) update(world, device, failing);
  };
  install(spec.fail);
  // The failed migration is retried by a boot of a sound build; a sound upgrade is over once it booted.
  return spec.fail ? once(() => install(false)) : () => {};
};

/** Installs the latest build; a running app restarts into it, a dead one boots it when it restarts. */
function update(world: FaultWorld, device: Device, failing: boolean): void {
  device.install(world.latestApp(failing));
  if (!device.running) return;
  device.kill();
  world.boot(device);
}

/**
 * The app version each device named by an upgrade boots with first: the oldest `fromVersion` of the
 * upgrades naming it, scheduled or drawn. A later upgrade of an updated device reinstalls the latest build.
 */
export function firstAppVersions(faults: readonly ScheduledFault[]): Map<string, 1 | 2> {
  const versions = new Map<string, 1 | 2>();
  const upgrades = faults.map((fault) => fault.spec).filter((spec): spec is Extract<FaultSpec, { kind: 'upgrade' }> => spec.kind === 'upgrade');
  for (const { targets, fromVersion } of upgrades) {
    for (const deviceId of targets) {
      const known = versions.get(deviceId);
      if (known === undefined || fromVersion < known) versions.set(deviceId, fromVersion);
    }
  }
  return versions;
}
