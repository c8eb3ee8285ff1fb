// Backup and restore: devices are snapshotted on a schedule (database and data folder), and a
// restore puts an old snapshot back and boots the app on stale data: a stale pull cursor and a
// stale queue that still holds changes the server already has.
import type { Device, DeviceSnapshot } from '../device/device.ts';
import type { FaultWorld } from './world.ts';

export class BackupSchedule {
  private readonly snapshots = new Map<string, DeviceSnapshot[]>();

  /** Snapshots each device every `everyMs` until `untilMs`. */
  constructor(
    private readonly world: FaultWorld,
    devices: readonly Device[],
    everyMs: number,
    untilMs: number,
  ) {
    for (const device of devices) {
      const taken: DeviceSnapshot[] = [];
      this.snapshots.set(device.id, taken);
      for (let atMs = everyMs; atMs <= untilMs; atMs += everyMs) world.scheduler.at(atMs, () => taken.push(device.snapshot()));
    }
  }

  /** Restores the newest snapshot at least `ageMs` old (else the oldest, else nothing) and boots the app on it. */
  restore(device: Device, ageMs: number): void {
    const taken = this.snapshots.get(device.id) ?? [];
    const cutoffMs = this.world.scheduler.nowMs - ageMs;
    const snapshot = [...taken].reverse().find((candidate) => candidate.takenAtMs <= cutoffMs) ?? taken[0];
    if (!snapshot) return;
    device.kill();
    device.restore(snapshot);
    this.world.history.append({ t: this.world.scheduler.nowMs, type: 'restore', process: device.id, snapshotAtMs: snapshot.takenAtMs });
    this.world.boot(device);
  }
}
