// Server restore: an operator puts the server back to a backup taken `loseMs` before the fault, as
// after a lost disk: the commits since are gone, while devices may hold them as synced. The server's
// epoch moves on so clients can tell (Realm's client resets); trusting a synced state is loss.
import type { FaultSpec } from '../scenario/fault-specs.ts';
import type { Heal } from './heal.ts';
import type { ServerBackup, FaultWorld } from './world.ts';

type ServerRestoreSpec = Extract<FaultSpec, { kind: 'server_restore' }>;

export class ServerBackups {
  private readonly taken = new Map<ServerRestoreSpec, ServerBackup>();

  constructor(private readonly world: FaultWorld) {}

  /** Takes the backup a restore at `atMs` puts back: `loseMs` earlier, or at the start of chaos. */
  schedule(atMs: number, spec: ServerRestoreSpec): void {
    const { scheduler } = this.world;
    scheduler.at(Math.max(scheduler.nowMs, atMs - spec.loseMs), () => this.taken.set(spec, this.world.backupServer()));
  }

  /** The restore is over as soon as it is done: the server answers from the backup at once. */
  restore(spec: ServerRestoreSpec): Heal {
    const backup = this.taken.get(spec);
    if (backup) this.world.restoreServer(backup);
    return () => {};
  }
}
