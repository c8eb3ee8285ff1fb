// The smaller scenarios shrinking tries next, in a fixed order (biggest cuts first): fewer
// devices, a shorter chaos phase and resume phase, a slower workload, the nemesis's drawn faults turned into
// scheduled ones, fewer faults, shorter faults. Pure functions of the scenario, so shrinking is
// as deterministic as a run.
import type { ScheduledFault } from '../scenario/fault-specs.ts';
import type { Scenario } from '../scenario/index.ts';

/** What a candidate run needs besides the scenario: whether the nemesis draws parameters from the seed. */
export interface ShrinkState {
  scenario: Scenario;
  swarm: boolean;
}

const SECOND_MS = 1000;
const HOUR_S = 3600;

/** Every candidate strictly smaller than `state`, most ambitious first; `drawn` are the faults its nemesis drew. */
export function candidatesOf(state: ShrinkState, drawn: readonly ScheduledFault[]): ShrinkState[] {
  const { scenario } = state;
  const next = (changes: Partial<Scenario>): ShrinkState => ({ scenario: { ...scenario, ...changes }, swarm: state.swarm });
  const candidates: ShrinkState[] = [];
  for (const devices of smallerCounts(scenario.devices, 1, { oneLess: true })) candidates.push(next(withDevices(scenario, devices)));
  for (const durationMs of smallerCounts(scenario.durationMs / SECOND_MS, 1, { oneLess: false }).map((seconds) => seconds * SECOND_MS)) {
    candidates.push(next({ durationMs, faults: scenario.faults.filter((fault) => fault.atMs < durationMs) }));
  }
  for (const resumeMs of smallerCounts(scenario.resumeMs / SECOND_MS, 0, { oneLess: false }).map((seconds) => seconds * SECOND_MS)) {
    candidates.push(next({ resumeMs }));
  }
  const perHour = Math.round(scenario.workload.ratePerSecond * HOUR_S);
  for (const rate of smallerCounts(perHour, 1, { oneLess: false })) candidates.push(next({ workload: { ...scenario.workload, ratePerSecond: rate / HOUR_S } }));
  if (scenario.nemesis || state.swarm) {
    const { nemesis: _nemesis, ...withoutNemesis } = scenario;
    candidates.push({ scenario: { ...withoutNemesis, faults: [...scenario.faults, ...drawn] }, swarm: false });
  }
  for (const kept of fewerFaults(scenario.faults)) candidates.push(next({ faults: kept }));
  scenario.faults.forEach((fault, index) => {
    if (fault.forMs === undefined || fault.forMs < 2 * SECOND_MS) return;
    const shorter = { ...fault, forMs: Math.floor(fault.forMs / 2 / SECOND_MS) * SECOND_MS };
    candidates.push(next({ faults: scenario.faults.map((each, at) => (at === index ? shorter : each)) }));
  });
  return candidates;
}

/**
 * Whole numbers below `count`, down to `floor`, smallest first: the floor, a quarter, a half, three quarters and, for
 * small counts such as devices, one less. Times and rates step by fractions only, so a pass never creeps by one second.
 */
function smallerCounts(count: number, floor: number, { oneLess }: { oneLess: boolean }): number[] {
  const tries = [floor, Math.floor(count / 4), Math.floor(count / 2), Math.floor((count * 3) / 4), ...(oneLess ? [count - 1] : [])];
  return [...new Set(tries.filter((value) => value >= floor && value < count))].sort((a, b) => a - b);
}

/** The first `devices` devices; faults lose the targets that are gone, and a fault left with none goes. */
function withDevices(scenario: Scenario, devices: number): Partial<Scenario> {
  const kept = (id: string) => Number(id.slice(1)) <= devices;
  const faults = scenario.faults.flatMap((fault): ScheduledFault[] => {
    if (!('targets' in fault.spec)) return [fault];
    const targets = fault.spec.targets.filter(kept);
    return targets.length === 0 ? [] : [{ ...fault, spec: { ...fault.spec, targets } }];
  });
  return { devices, faults };
}

/** The fault list without its first half, its second half, then without each fault in turn (delta debugging's first steps). */
function fewerFaults(faults: readonly ScheduledFault[]): ScheduledFault[][] {
  const half = Math.ceil(faults.length / 2);
  const halves = faults.length > 2 ? [faults.slice(half), faults.slice(0, half)] : [];
  return [...halves, ...faults.map((_, index) => faults.filter((__, at) => at !== index))];
}
