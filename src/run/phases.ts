// The phases of one run as data, built once from the scenario: chaos for `duration`, a quiesce the
// harness drives, then (with `resume`) users acting again on a healed world and a quiesce left to the
// devices' own timers. The World in run.ts interprets the list; each phase is marked in the history.
import type { Scenario } from '../scenario/index.ts';

/** Who makes the devices sync while a quiesce waits for them to settle. */
export type QuiesceBy = 'harness' | 'own-timers';

export type Phase =
  /** Devices boot, faults run, users act, for `forMs`; every fault is healed at its end. */
  | { kind: 'chaos'; forMs: number }
  /**
   * Rounds until nothing changes and no record waits to be sent. `harness`: each round calls
   * `sync()` on every device, as a pull-to-refresh; `own-timers`: nobody does, so a client that
   * stopped syncing after a partition or a kill shows here.
   */
  | { kind: 'quiesce'; by: QuiesceBy }
  /** Users act again for `forMs` with every fault healed. */
  | { kind: 'resume'; forMs: number };

export function phasesOf(scenario: Pick<Scenario, 'durationMs' | 'resumeMs'>): Phase[] {
  return [
    { kind: 'chaos', forMs: scenario.durationMs },
    { kind: 'quiesce', by: 'harness' },
    ...(scenario.resumeMs > 0 ? ([{ kind: 'resume', forMs: scenario.resumeMs }, { kind: 'quiesce', by: 'own-timers' }] as const) : []),
  ];
}
