// Clock: a device's wall clock is shifted by an offset and runs at a skewed rate until heal,
// when this fault's shift is corrected back (an NTP sync); overlapping clock faults add up.
// Conflict policies that trust clocks must face this.
import { healAll } from './heal.ts';
import { targetDevices, type FaultModule } from './world.ts';

export const clock: FaultModule<'clock'> = (world, spec) =>
  healAll(
    targetDevices(world, spec.targets).map((device) => {
      // This fault's own part of the reading: the offset at once, then drift at `skew` from now (not since
      // time 0). The heal takes exactly that part away, so overlapping clock faults heal in any order.
      const part = { offsetMs: spec.offsetMs - spec.skew * world.scheduler.nowMs, skew: spec.skew };
      const shift = (sign: 1 | -1) => {
        const { offsetMs, skew } = device.clock.settings();
        device.clock.set({ offsetMs: offsetMs + sign * part.offsetMs, skew: skew + sign * part.skew });
      };
      shift(1);
      return () => shift(-1);
    }),
  );
