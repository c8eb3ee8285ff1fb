// Suspend: the app is backgrounded. Its timers wait and its network is gone until it is resumed;
// it runs only in background windows the OS grants at random (`windowsPerHour`, never on a
// schedule, as on iOS), syncing briefly each time. On heal it returns to the foreground and syncs.
import type { Device } from '../device/device.ts';
import type { Cancel } from '../sim/scheduler.ts';
import type { FaultSpec } from '../scenario/fault-specs.ts';
import { healAll, type Heal } from './heal.ts';
import { targetDevices, type FaultModule, type FaultWorld } from './world.ts';

type SuspendSpec = Extract<FaultSpec, { kind: 'suspend' }>;

export const suspend: FaultModule<'suspend'> = (world, spec) =>
  healAll(targetDevices(world, spec.targets).map((device) => suspendOne(world, device, spec)));

function suspendOne(world: FaultWorld, device: Device, spec: SuspendSpec): Heal {
  const { scheduler, rng, links } = world;
  let release: Heal | undefined;
  let next: Cancel | undefined;
  const background = () => {
    device.suspend();
    release = links.hold(device.id, 'partitioned');
  };
  const foreground = () => {
    release?.();
    release = undefined;
    device.resume();
    world.foreground(device);
  };
  const scheduleWindow = () => {
    if (spec.windowsPerHour <= 0) return;
    next = scheduler.after(rng.exponentialMs(3_600_000 / spec.windowsPerHour), () => {
      foreground();
      next = scheduler.after(spec.windowMs, () => {
        background();
        scheduleWindow();
      });
    });
  };
  const leaveBackground = device.holdInBackground();
  background();
  scheduleWindow();
  return () => {
    next?.();
    leaveBackground();
    if (release) foreground();
  };
}
