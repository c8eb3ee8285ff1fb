// The ranges swarm mode draws each fault parameter from, in one table beside the schema whose
// bounds they keep to. Without swarm the nemesis takes the schema's defaults (defaultFaultSpec),
// so what the nemesis draws and what a scenario file means can never drift apart.
import { BATCH_FAILURE_MODES, KILL_MOMENTS, PARTITION_MODES } from './faults.ts';
import type { FaultKind, FaultSpec } from './fault-specs.ts';

type SpecOf<K extends FaultKind> = Extract<FaultSpec, { kind: K }>;
/** The settings of a kind that swarm mode may draw: all but its kind and targets. */
type Setting<K extends FaultKind> = Exclude<keyof SpecOf<K>, 'kind' | 'targets'>;

/**
 * A setting drawn uniformly: an integer from `int[0]` to `int[1]` (from the drawn value of the setting
 * `atLeast` names, if higher), a number in [`real[0]`, `real[1]`), or one of `oneOf`.
 */
export type SwarmRange<S extends string = string> =
  | { int: readonly [number, number]; atLeast?: S }
  | { real: readonly [number, number] }
  | { oneOf: readonly (string | number | boolean)[] };

/** Per kind, the settings swarm mode draws, in the order it draws them; the rest keep their defaults. */
export const SWARM_RANGES: { [K in FaultKind]: { [S in Setting<K>]?: SwarmRange<Setting<K> & string> } } = {
  partition: { mode: { oneOf: PARTITION_MODES } },
  kill: { when: { oneOf: KILL_MOMENTS }, restartAfterMs: { int: [1_000, 60_000] } },
  clock: { offsetMs: { int: [-600_000, 600_000] }, skew: { real: [-0.05, 0.05] } },
  batch_failure: { mode: { oneOf: BATCH_FAILURE_MODES }, appliedCount: { int: [0, 5] }, rejectShare: { real: [0.1, 0.9] } },
  backup_restore: { ageMs: { int: [60_000, 1_200_000] } },
  reinstall: {},
  suspend: { windowsPerHour: { int: [0, 6] }, windowMs: { int: [10_000, 60_000] } },
  upgrade: { fromVersion: { oneOf: [1, 2] }, fail: { oneOf: [true, false] } },
  server_restart: { downMs: { int: [1_000, 60_000] } },
  server_restore: { loseMs: { int: [10_000, 600_000] } },
  latency: { latencyMsMin: { int: [0, 1_000] }, latencyMsMax: { int: [0, 5_000], atLeast: 'latencyMsMin' } },
  loss: { rate: { real: [0.05, 0.5] } },
  duplicate: { rate: { real: [0.05, 0.5] } },
  reorder: { reorderMsMax: { int: [100, 5_000] } },
  tombstone_retention: { olderThanMs: { int: [60_000, 1_200_000] } },
};
