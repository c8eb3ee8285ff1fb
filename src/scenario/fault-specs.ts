// The faults a scenario can inject, as the simulator sees them once the scenario file is
// resolved: each kind with its parameters in ms, rates per hour, device ids expanded. The
// scenario schema produces these; the fault modules and the nemesis consume them.

export const FAULT_KINDS = [
  'partition',
  'kill',
  'clock',
  'batch_failure',
  'backup_restore',
  'reinstall',
  'suspend',
  'upgrade',
  'server_restart',
  'server_restore',
  'latency',
  'loss',
  'duplicate',
  'reorder',
  'tombstone_retention',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** `drop` is airplane mode; `hold` queues messages until heal; `response-lost` lets requests reach the server and loses the answers. */
export type PartitionMode = 'drop' | 'hold' | 'response-lost';
export type KillMoment = 'any' | 'during-sync' | 'during-write' | 'idle';
/** `partial`: apply the first `appliedCount` changes of a push, then answer 500; `response-lost`: apply all, lose the answer; `reject`: reject a share of changes individually. */
export type BatchFailureMode = 'partial' | 'response-lost' | 'reject';

export type FaultSpec =
  | { kind: 'partition'; targets: string[]; mode: PartitionMode }
  | { kind: 'kill'; targets: string[]; when: KillMoment; restartAfterMs: number }
  | { kind: 'clock'; targets: string[]; offsetMs: number; skew: number }
  | { kind: 'batch_failure'; mode: BatchFailureMode; appliedCount: number; rejectShare: number }
  | { kind: 'backup_restore'; targets: string[]; backupEveryMs: number; ageMs: number }
  | { kind: 'reinstall'; targets: string[] }
  | { kind: 'suspend'; targets: string[]; windowsPerHour: number; windowMs: number }
  | { kind: 'upgrade'; targets: string[]; fromVersion: 1 | 2; fail: boolean }
  | { kind: 'server_restart'; downMs: number }
  | { kind: 'server_restore'; loseMs: number }
  | { kind: 'latency'; targets: string[]; latencyMsMin: number; latencyMsMax: number }
  | { kind: 'loss'; targets: string[]; rate: number }
  | { kind: 'duplicate'; targets: string[]; rate: number }
  | { kind: 'reorder'; targets: string[]; reorderMsMax: number }
  | { kind: 'tombstone_retention'; olderThanMs: number; everyMs: number };

/** A fault at a fixed time; without `forMs` it heals when the chaos phase ends (a kill heals itself by restarting). */
export interface ScheduledFault {
  atMs: number;
  forMs?: number;
  spec: FaultSpec;
}

/** Faults drawn from the seed at a rate; with `swarm`, their parameters are drawn from the seed too. */
export interface NemesisSettings {
  kinds: FaultKind[];
  ratePerHour: number;
  forMsMin: number;
  forMsMax: number;
  swarm: boolean;
}
