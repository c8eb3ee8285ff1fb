// The checkers by name, and the one place that runs them: a checker that throws yields
// `unknown` for itself and never takes the run or the other checkers down with it.
import type { CheckName } from '../scenario/index.ts';
import { checkDivergence } from './divergence.ts';
import { checkDuplicate } from './duplicate.ts';
import { checkDurability } from './durability.ts';
import { checkHonestStatus } from './honest-status.ts';
import { checkIntegrity } from './integrity.ts';
import { checkLiveness } from './liveness.ts';
import { checkLostWrite } from './lost-write.ts';
import { checkMonotonicReads } from './monotonic-reads.ts';
import { checkReadYourWrites } from './read-your-writes.ts';
import { checkResurrection } from './resurrection.ts';
import { checkRetryBudget } from './retry-budget.ts';
import { checkWritesFollowReads } from './writes-follow-reads.ts';
import type { Checker, CheckFold, CheckInput, CheckResult } from './types.ts';

export const CHECKERS: Record<CheckName, Checker> = {
  'lost-write': checkLostWrite,
  durability: checkDurability,
  divergence: checkDivergence,
  duplicate: checkDuplicate,
  resurrection: checkResurrection,
  integrity: checkIntegrity,
  'honest-status': checkHonestStatus,
  liveness: checkLiveness,
  'retry-budget': checkRetryBudget,
  'read-your-writes': checkReadYourWrites,
  'monotonic-reads': checkMonotonicReads,
  'writes-follow-reads': checkWritesFollowReads,
};

/**
 * Runs the checkers `names` on one case. The folding ones share one pass over the log after the index's
 * (check/fold.ts); a checker that throws, setting up, folding or judging, is `unknown` and the others go on.
 */
export function runChecks(names: readonly CheckName[], input: CheckInput): Record<string, CheckResult> {
  const results = new Map<CheckName, CheckResult>();
  const folds = new Map<CheckName, CheckFold>();
  for (const name of names) {
    const checker = CHECKERS[name];
    try {
      if (checker.start) folds.set(name, checker.start(input));
      else results.set(name, checker(input));
    } catch (error) {
      results.set(name, unknownFrom(error));
    }
  }
  if (folds.size > 0) {
    try {
      for (const event of input.events) {
        for (const [name, fold] of folds) {
          try {
            fold.take(event);
          } catch (error) {
            results.set(name, unknownFrom(error));
            folds.delete(name);
          }
        }
      }
    } catch (error) {
      // the log itself could not be read back: no fold still taking it can judge
      for (const name of folds.keys()) results.set(name, unknownFrom(error));
      folds.clear();
    }
    for (const [name, fold] of folds) {
      try {
        results.set(name, fold.finish());
      } catch (error) {
        results.set(name, unknownFrom(error));
      }
    }
  }
  return Object.fromEntries(names.map((name) => [name, results.get(name) as CheckResult]));
}

function unknownFrom(error: unknown): CheckResult {
  return { valid: 'unknown', violations: [], error: error instanceof Error ? error.message : String(error) };
}

export type { CheckInput, CheckResult, DeviceFinalState, Violation, WriteRef } from './types.ts';
