// Clock: a device's wall clock is shifted by an offset and runs at a skewed rate until heal,
// when it is corrected back (an NTP sync). Conflict policies that trust clocks must face this.
import { healAll, targetDevices, type FaultModule } from './world.ts';

export const clock: FaultModule<'clock'> = (world, spec) =>
  healAll(
    targetDevices(world, spec.targets).map((device) => {
      const before = device.clock.settings();
      device.clock.set({ offsetMs: before.offsetMs + spec.offsetMs, skew: spec.skew });
      return () => device.clock.set(before);
    }),
  );
