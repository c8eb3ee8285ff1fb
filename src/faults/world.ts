// What a fault can touch: the scheduler, the network links, the devices and the server, and the
// history where every fault's start and stop is recorded beside the users' operations, as
// Jepsen's nemesis does. Each fault module starts from here and returns how to heal.
import type { ClientFactory } from '../adapter.ts';
import type { Device } from '../device/device.ts';
import type { History } from '../history/history.ts';
import type { Network } from '../sim/network.ts';
import type { Rng } from '../sim/rng.ts';
import type { Scheduler } from '../sim/scheduler.ts';
import type { FaultyServer } from './faulty-server.ts';
import type { Heal } from './heal.ts';
import type { LinkControl } from './link-control.ts';
import type { FaultSpec } from '../scenario/fault-specs.ts';

export interface FaultWorld {
  scheduler: Scheduler;
  network: Network;
  links: LinkControl;
  history: History;
  devices: ReadonlyMap<string, Device>;
  server: FaultyServer;
  /** Takes the server process down: connections are refused until `restartServer`. */
  stopServer(): void;
  /** Brings a new server process up over the server's committed data. */
  restartServer(): void;
  /** The server's cursor after its newest change. */
  serverCursor(): number;
  /** The server forgets the tombstones committed at or before `throughCursor`. */
  pruneTombstones(throughCursor: number): void;
  /** A copy of the server's database now: what a later `restoreServer` puts back. */
  backupServer(): ServerBackup;
  /** Puts a backup back under a new server process, at the next epoch, and records the restore. */
  restoreServer(backup: ServerBackup): void;
  /** The reference app's latest build, its last migration failing when `failing`: what an update installs. */
  latestApp(failing: boolean): ClientFactory;
  /** Boots a device's app; a throw is the system under test failing and is handled by the run. */
  boot(device: Device): void;
  /** The app comes to the foreground or gets a background task: it syncs, as on launch and resume. */
  foreground(device: Device): void;
  /** Draws of the fault modules (kill points, suspension windows). */
  rng: Rng;
}

/** The server's database as it was at `takenAtMs`. */
export interface ServerBackup {
  takenAtMs: number;
  database: Uint8Array;
}

export type FaultModule<K extends FaultSpec['kind']> = (world: FaultWorld, spec: Extract<FaultSpec, { kind: K }>) => Heal;

/** The devices a fault names, in the order given. */
export function targetDevices(world: FaultWorld, targets: readonly string[]): Device[] {
  return targets.map((id) => {
    const device = world.devices.get(id);
    if (!device) throw new Error(`fault targets unknown device ${id}`);
    return device;
  });
}
