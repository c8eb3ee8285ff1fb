// The nemesis: starts the scenario's scheduled faults at their times and heals them after `for`,
// draws more faults at a seeded rate from the nemesis settings (in swarm mode with parameters
// drawn from the seed too; drawn before the devices boot, so a drawn upgrade's device boots old),
// records every start and stop in the history, and heals all at the end of the chaos phase.
import { BackupSchedule } from './backup-restore.ts';
import { batchFailure } from './batch-failure.ts';
import { clock } from './clock.ts';
import { kill } from './kill.ts';
import { duplicate, latency, loss, reorder } from './message.ts';
import { partition } from './partition.ts';
import { serverRestart } from './server-restart.ts';
import { suspend } from './suspend.ts';
import { upgrade } from './upgrade.ts';
import type { FaultKind, FaultSpec, NemesisSettings, ScheduledFault } from '../scenario/fault-specs.ts';
import type { Heal } from './heal.ts';
import { targetDevices, type FaultModule, type FaultWorld } from './world.ts';
import type { Rng } from '../sim/rng.ts';

const MODULES: { [K in Exclude<FaultKind, 'backup_restore'>]: FaultModule<K> } = {
  partition,
  kill,
  clock,
  batch_failure: batchFailure,
  suspend,
  upgrade,
  server_restart: serverRestart,
  latency,
  loss,
  duplicate,
  reorder,
};

/** Backups for faults the nemesis draws: every five minutes. */
const DRAWN_BACKUP_EVERY_MS = 300_000;

export class Nemesis {
  private readonly active = new Set<Heal>();
  private readonly backups = new Map<number, BackupSchedule>();
  /** How many faults have started: the last faultId given. */
  private faultsStarted = 0;
  /** The faults the nemesis drew, in order: what swarm mode prints. */
  readonly drawn: ScheduledFault[] = [];

  constructor(
    private readonly world: FaultWorld,
    private readonly chaosEndMs: number,
  ) {}

  /** Draws the nemesis's faults, in order, into `drawn`; `start` schedules them. */
  draw(nemesis: NemesisSettings, rng: Rng): void {
    if (nemesis.ratePerHour <= 0) return;
    const deviceIds = [...this.world.devices.keys()];
    const meanMs = 3_600_000 / nemesis.ratePerHour;
    for (let atMs = rng.exponentialMs(meanMs); atMs < this.chaosEndMs; atMs += rng.exponentialMs(meanMs)) {
      const kind = rng.pick(nemesis.kinds);
      const forMs = rng.int(nemesis.forMsMin, nemesis.forMsMax);
      this.drawn.push({ atMs, forMs, spec: drawSpec(kind, [rng.pick(deviceIds)], rng, nemesis.swarm) });
    }
  }

  /** Schedules every fault of the scenario and, with a nemesis, the drawn ones. */
  start(scheduled: readonly ScheduledFault[], nemesis: NemesisSettings | undefined): void {
    for (const fault of scheduled) this.schedule(fault);
    if (nemesis?.kinds.includes('backup_restore')) {
      this.backups.set(DRAWN_BACKUP_EVERY_MS, new BackupSchedule(this.world, [...this.world.devices.values()], DRAWN_BACKUP_EVERY_MS, this.chaosEndMs));
    }
    for (const fault of this.drawn) this.schedule(fault);
  }

  /** Heals every fault still active, in the order they started. */
  healAll(): void {
    for (const heal of [...this.active]) heal();
  }

  private schedule(fault: ScheduledFault): void {
    const { spec } = fault;
    if (spec.kind === 'backup_restore' && !this.backups.has(spec.backupEveryMs)) {
      this.backups.set(spec.backupEveryMs, new BackupSchedule(this.world, [...this.world.devices.values()], spec.backupEveryMs, this.chaosEndMs));
    }
    this.world.scheduler.at(fault.atMs, () => {
      const heal = this.begin(spec);
      if (fault.forMs !== undefined) this.world.scheduler.at(Math.min(fault.atMs + fault.forMs, this.chaosEndMs), heal);
    });
  }

  /** Starts a fault now and returns its heal, which also records the stop. */
  private begin(spec: FaultSpec): Heal {
    const { history, scheduler } = this.world;
    const faultId = ++this.faultsStarted;
    history.append({ t: scheduler.nowMs, type: 'fault', phase: 'start', faultId, spec });
    const heal = spec.kind === 'backup_restore' ? this.restore(spec) : (MODULES[spec.kind] as FaultModule<FaultKind>)(this.world, spec);
    const stop: Heal = () => {
      if (!this.active.delete(stop)) return;
      heal();
      history.append({ t: scheduler.nowMs, type: 'fault', phase: 'stop', faultId, spec });
    };
    this.active.add(stop);
    return stop;
  }

  /** A restore is over as soon as it is done: the stale app is already booted. */
  private restore(spec: Extract<FaultSpec, { kind: 'backup_restore' }>): Heal {
    const backups = this.backups.get(spec.backupEveryMs);
    for (const device of targetDevices(this.world, spec.targets)) backups?.restore(device, spec.ageMs);
    return () => {};
  }
}

/** A fault of `kind`: the defaults of a scenario file, or in swarm mode parameters drawn from the seed. */
export function drawSpec(kind: FaultKind, targets: string[], rng: Rng, swarm: boolean): FaultSpec {
  const draw = <T>(fixed: T, drawn: () => T): T => (swarm ? drawn() : fixed);
  switch (kind) {
    case 'partition':
      return { kind, targets, mode: draw('drop', () => rng.pick(['drop', 'hold', 'response-lost'] as const)) };
    case 'kill':
      return {
        kind,
        targets,
        when: draw('any', () => rng.pick(['any', 'during-sync', 'during-write', 'idle'] as const)),
        restartAfterMs: draw(10_000, () => rng.int(1_000, 60_000)),
      };
    case 'clock':
      return { kind, targets, offsetMs: draw(300_000, () => rng.int(-600_000, 600_000)), skew: draw(0, () => (rng.next() - 0.5) / 10) };
    case 'batch_failure':
      return {
        kind,
        mode: draw('partial', () => rng.pick(['partial', 'response-lost', 'reject'] as const)),
        appliedCount: draw(1, () => rng.int(0, 5)),
        rejectShare: draw(0.5, () => 0.1 + rng.next() * 0.8),
      };
    case 'backup_restore':
      return { kind, targets, backupEveryMs: DRAWN_BACKUP_EVERY_MS, ageMs: draw(600_000, () => rng.int(60_000, 1_200_000)) };
    case 'suspend':
      return { kind, targets, windowsPerHour: draw(2, () => rng.int(0, 6)), windowMs: draw(30_000, () => rng.int(10_000, 60_000)) };
    case 'upgrade':
      return { kind, targets, fromVersion: draw(1, () => rng.pick([1, 2] as const)), fail: draw(false, () => rng.chance(0.5)) };
    case 'server_restart':
      return { kind, downMs: draw(10_000, () => rng.int(1_000, 60_000)) };
    case 'latency': {
      const latencyMsMin = draw(500, () => rng.int(0, 1_000));
      return { kind, targets, latencyMsMin, latencyMsMax: draw(3_000, () => rng.int(latencyMsMin, 5_000)) };
    }
    case 'loss':
      return { kind, targets, rate: draw(0.2, () => 0.05 + rng.next() * 0.45) };
    case 'duplicate':
      return { kind, targets, rate: draw(0.1, () => 0.05 + rng.next() * 0.45) };
    case 'reorder':
      return { kind, targets, reorderMsMax: draw(2_000, () => rng.int(100, 5_000)) };
  }
}
