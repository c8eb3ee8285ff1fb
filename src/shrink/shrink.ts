// Greedy shrinking of a failing case, in the spirit of fast-check and Hypothesis: try the
// candidates in their fixed order with the same seed, keep the first that still fails with the
// same root-cause violation (checker, and kind where the checker has kinds), start over from it, and stop
// when none does or the run budget is spent. Every candidate goes through its YAML text, so the
// scenario written at the end is exactly the one that was run.
import type { ClientDefinition } from '../adapter.ts';
import { rootCause } from '../check/causes.ts';
import type { Violation } from '../check/index.ts';
import { runScenario } from '../run/run.ts';
import type { RunResult } from '../check/verdict.ts';
import { parseScenario } from '../scenario/index.ts';
import { candidatesOf, type ShrinkState } from './candidates.ts';
import { scenarioYaml } from './scenario-yaml.ts';

/** The violation a shrunk case must keep: its checker, and its kind when the checker gave one. */
export type ViolationTarget = Pick<Violation, 'checker' | 'kind'>;

export interface CaseSize {
  devices: number;
  /** User writes in the run. */
  operations: number;
  /** Scheduled faults plus the ones the nemesis drew. */
  faults: number;
  durationMs: number;
  resumeMs: number;
}

export interface ShrinkOptions {
  seed: number;
  client: ClientDefinition;
  target: ViolationTarget;
  /** Most scenario runs, the original's included. */
  maxRuns: number;
  /** Called after every run with whether the candidate kept the violation. */
  onRun?: (run: { index: number; kept: boolean; size: CaseSize }) => void;
}

export interface ShrinkOutcome {
  before: CaseSize;
  after: CaseSize;
  state: ShrinkState;
  yaml: string;
  runs: number;
}

export class NotFailingError extends Error {
  override name = 'NotFailingError';
}

export async function shrinkCase(start: ShrinkState, options: ShrinkOptions): Promise<ShrinkOutcome> {
  let runs = 0;
  /** Scenarios (as YAML, with the swarm flag) that already ran and lost the violation: never run twice. */
  const passing = new Set<string>();
  const attempt = async (state: ShrinkState) => {
    const yaml = scenarioYaml(state.scenario);
    const parsed = parseScenario(yaml, 'shrunk scenario');
    const key = `${state.swarm}\n${yaml}`;
    if (!parsed.ok || passing.has(key)) return undefined;
    const candidate = { scenario: parsed.scenario, swarm: state.swarm };
    const result = await runScenario(candidate.scenario, { seed: options.seed, client: options.client, swarm: candidate.swarm });
    const kept = keepsViolation(result, options.target);
    options.onRun?.({ index: ++runs, kept, size: sizeOf(candidate, result) });
    if (!kept) passing.add(key);
    return kept ? { state: candidate, result, yaml } : undefined;
  };

  let best = await attempt(start);
  if (!best) throw new NotFailingError(`seed ${options.seed} no longer fails with a ${describeTarget(options.target)} violation`);
  const before = sizeOf(best.state, best.result);
  for (let improved = true; improved && runs < options.maxRuns; ) {
    improved = false;
    for (const candidate of candidatesOf(best.state, best.result.drawnFaults)) {
      if (runs >= options.maxRuns) break;
      const kept = await attempt(candidate);
      // Every candidate is a smaller scenario by construction; the one thing it may not do is add writes.
      if (kept && kept.result.counts.writes <= best.result.counts.writes) {
        best = kept;
        improved = true;
        break;
      }
    }
  }
  return { before, after: sizeOf(best.state, best.result), state: best.state, yaml: best.yaml, runs };
}

export function describeTarget(target: ViolationTarget): string {
  return target.kind === undefined ? target.checker : `${target.checker}/${target.kind}`;
}

/** Whether the run still fails with the target as its root cause (check/causes.ts), not merely somewhere among its symptoms. */
function keepsViolation(result: RunResult, target: ViolationTarget): boolean {
  const root = rootCause(result.violations);
  return result.verdict === 'fail' && root !== undefined && root.checker === target.checker && (target.kind === undefined || root.kind === target.kind);
}

function sizeOf(state: ShrinkState, result: RunResult): CaseSize {
  return {
    devices: state.scenario.devices,
    operations: result.counts.writes,
    faults: state.scenario.faults.length + result.drawnFaults.length,
    durationMs: state.scenario.durationMs,
    resumeMs: state.scenario.resumeMs,
  };
}
