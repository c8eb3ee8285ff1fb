// The nemesis: starts the scenario's scheduled faults at their times and heals them after `for`,
// draws more at a seeded rate (with a scenario file's defaults, or in swarm mode from the seed; drawn
// before the devices boot, so a drawn upgrade's device boots old), records each start and stop under
// one faultId, and heals all at the end of the chaos phase.
import { BackupSchedule } from './backup-restore.ts';
import { batchFailure } from './batch-failure.ts';
import { clock } from './clock.ts';
import { kill } from './kill.ts';
import { duplicate, latency, loss, reorder } from './message.ts';
import { partition } from './partition.ts';
import { reinstall } from './reinstall.ts';
import { tombstoneRetention } from './tombstone-retention.ts';
import { serverRestart } from './server-restart.ts';
import { ServerBackups } from './server-restore.ts';
import { suspend } from './suspend.ts';
import { upgrade } from './upgrade.ts';
import type { FaultKind, FaultSpec, NemesisSettings, ScheduledFault } from '../scenario/fault-specs.ts';
import { defaultFaultSpec } from '../scenario/faults.ts';
import { SWARM_RANGES, type SwarmRange } from '../scenario/swarm-ranges.ts';
import type { Heal } from './heal.ts';
import { targetDevices, type FaultModule, type FaultWorld } from './world.ts';
import type { Rng } from '../sim/rng.ts';

const MODULES: { [K in Exclude<FaultKind, 'backup_restore' | 'server_restore'>]: FaultModule<K> } = {
  partition,
  kill,
  clock,
  batch_failure: batchFailure,
  reinstall,
  suspend,
  upgrade,
  server_restart: serverRestart,
  latency,
  loss,
  duplicate,
  reorder,
  tombstone_retention: tombstoneRetention,
};

/** Backups for faults the nemesis draws: as often as a scenario file's backup_restore takes them by default. */
const DRAWN_BACKUP_EVERY_MS = defaultFaultSpec('backup_restore', []).backupEveryMs;

export class Nemesis {
  private readonly active = new Set<Heal>();
  private readonly backups = new Map<number, BackupSchedule>();
  private readonly serverBackups: ServerBackups;
  /** How many faults have started: the last faultId given. */
  private faultsStarted = 0;
  /** The faults the nemesis drew, in order: what swarm mode prints. */
  readonly drawn: ScheduledFault[] = [];

  constructor(
    private readonly world: FaultWorld,
    private readonly chaosEndMs: number,
  ) {
    this.serverBackups = new ServerBackups(world);
  }

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
    if (![...scheduled, ...this.drawn].some((fault) => fault.spec.kind === 'batch_failure')) this.world.server.stopWatchingPushes();
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
    if (spec.kind === 'server_restore') this.serverBackups.schedule(fault.atMs, spec);
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
    const heal =
      spec.kind === 'backup_restore'
        ? this.restore(spec)
        : spec.kind === 'server_restore'
          ? this.serverBackups.restore(spec)
          : (MODULES[spec.kind] as FaultModule<FaultKind>)(this.world, spec);
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

/** A fault of `kind`: the defaults of a scenario file, or in swarm mode settings drawn from the seed within SWARM_RANGES. */
export function drawSpec(kind: FaultKind, targets: string[], rng: Rng, swarm: boolean): FaultSpec {
  const spec = defaultFaultSpec(kind, targets);
  if (!swarm) return spec;
  const drawn: Record<string, unknown> = { ...spec };
  for (const [setting, range] of Object.entries<SwarmRange>(SWARM_RANGES[kind])) drawn[setting] = drawValue(range, drawn, rng);
  return drawn as FaultSpec;
}

function drawValue(range: SwarmRange, drawn: Readonly<Record<string, unknown>>, rng: Rng): unknown {
  if ('oneOf' in range) return rng.pick(range.oneOf);
  if ('real' in range) return range.real[0] + rng.next() * (range.real[1] - range.real[0]);
  const [min, max] = range.int;
  return rng.int(range.atLeast === undefined ? min : Math.max(min, drawn[range.atLeast] as number), max);
}
