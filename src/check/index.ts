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
import type { Checker, CheckInput, CheckResult } from './types.ts';

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

export function runChecks(names: readonly CheckName[], input: CheckInput): Record<string, CheckResult> {
  const results: Record<string, CheckResult> = {};
  for (const name of names) {
    try {
      results[name] = CHECKERS[name](input);
    } catch (error) {
      results[name] = { valid: 'unknown', violations: [], error: error instanceof Error ? error.message : String(error) };
    }
  }
  return results;
}

export type { CheckInput, CheckResult, DeviceFinalState, Violation, WriteRef } from './types.ts';
