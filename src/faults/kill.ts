// Kill: the app dies at a seeded point — between two SQLite statements of whatever it is doing,
// at an await while a request is on the wire, in the middle of saving a user's write, or while
// idle — and boots again from its database after `restartAfterMs`.
import type { Device } from '../device/device.ts';
import type { Cancel } from '../sim/scheduler.ts';
import type { FaultSpec } from '../scenario/fault-specs.ts';
import { healAll, type Heal } from './heal.ts';
import { targetDevices, type FaultModule, type FaultWorld } from './world.ts';

const POLL_MS = 250;
/** A kill at `any` point that found no statement to strike at within this long strikes at an await. */
const STATEMENT_WAIT_MS = 60_000;

type KillSpec = Extract<FaultSpec, { kind: 'kill' }>;

export const kill: FaultModule<'kill'> = (world, spec) =>
  healAll(targetDevices(world, spec.targets).map((device) => killOne(world, device, spec)));

function killOne(world: FaultWorld, device: Device, spec: KillSpec): Heal {
  const { scheduler, rng } = world;
  let reboot: Cancel | undefined;
  let poll: Cancel | undefined;
  const unsubscribe = device.onDeath(() => {
    unsubscribe();
    poll?.();
    // spent with this death, whatever caused it: a kill it armed must not strike the next process, which nothing would reboot
    device.disarm();
    reboot = scheduler.after(spec.restartAfterMs, () => {
      reboot = undefined;
      world.boot(device);
    });
  });
  const waitFor = (ready: () => boolean, strike: () => void) => {
    const check = () => (ready() ? strike() : (poll = scheduler.after(POLL_MS, check)));
    check();
  };
  const atStatementOrAwait = (statementMax: number) => () =>
    rng.chance(0.5) ? device.kill() : device.killAtStatement(rng.int(1, statementMax));
  if (spec.when === 'during-write') device.killDuringNextWrite(rng.int(1, 3));
  else if (spec.when === 'idle') waitFor(() => device.requestsInFlight === 0, () => device.kill());
  else if (spec.when === 'during-sync') waitFor(() => device.requestsInFlight > 0, atStatementOrAwait(10));
  else {
    atStatementOrAwait(30)();
    if (device.running) poll = scheduler.after(STATEMENT_WAIT_MS, () => device.kill());
  }
  return () => {
    unsubscribe();
    poll?.();
    device.disarm();
    if (reboot) {
      reboot();
      world.boot(device);
    }
  };
}
