// A checker as a fold over the history, the way Jepsen composes checkers: it sets up from the shared
// index, sees each event once, in order, and judges at the end. runChecks feeds every fold from one
// pass, so a long run's log, read back from disk, is read twice in all (the index, then the folds).
import type { HistoryEvent } from '../history/events.ts';
import type { FaultSpan } from '../history/fault-spans.ts';
import type { Causality } from './causality.ts';
import { recordNotices } from './evidence.ts';
import { causalityOf, type Noticed } from './history-index.ts';
import type { Checker, CheckFold, CheckInput, CheckResult, Violation } from './types.ts';

/** A checker that judges on its own in a pass of its own, and whose fold runChecks shares with the others (`start`). */
export function foldingChecker(start: (input: CheckInput) => CheckFold): Checker {
  const checker = (input: CheckInput): CheckResult => {
    const fold = start(input);
    for (const event of input.events) fold.take(event);
    return fold.finish();
  };
  return Object.assign(checker, { start });
}

/** The fold of a checker whose verdict is known before any event: it reads none. */
export function settledFold(result: CheckResult): CheckFold {
  return { take: () => {}, finish: () => result };
}

/**
 * The fold of a checker that gathers violations as it takes each event: valid when it found none. A class, so
 * that every run calls the same `take`: a closure made per run starts cold, and V8 optimized each one again, every seed.
 */
export abstract class ViolationsFold implements CheckFold {
  protected readonly violations: Violation[] = [];

  abstract take(event: HistoryEvent): void;

  finish(): CheckResult {
    return { valid: this.violations.length === 0, violations: this.violations };
  }
}

/** A violations fold that judges writes with the causality oracle, the run's fault spans and the refusals its apps reported. */
export abstract class CausalFold extends ViolationsFold {
  protected readonly causality: Causality;
  protected readonly spans: readonly FaultSpan[];
  /** A change the server refused and the app said so: what became of it is the refusal, surfaced. */
  protected readonly refused: Noticed;

  constructor(input: CheckInput) {
    super();
    this.causality = causalityOf(input.events);
    this.spans = input.faultSpans;
    this.refused = recordNotices(input.events, ['change-rejected']);
  }
}
