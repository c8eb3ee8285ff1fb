// Retry budget: while a device is offline (a `drop` partition: airplane mode) its automatic sync
// attempts must stay within the scenario's hourly budget, or the app burns the battery. It counts every
// request the app tried, the ones the offline network refused included; pull-to-refresh is the user's.
import type { FaultSpan } from '../history/fault-spans.ts';
import type { HistoryEvent } from '../history/events.ts';
import { foldingChecker, settledFold } from './fold.ts';
import type { CheckFold, CheckResult, Violation } from './types.ts';
import { clockTime } from '../history/clock-time.ts';

const WINDOW_MS = 3_600_000;

export const checkRetryBudget = foldingChecker((input) => {
  const budget = input.retryBudgetPerHour;
  if (budget === undefined) return settledFold({ valid: 'unknown', violations: [], error: 'the scenario gave no retry budget' });
  return new RetryBudgetFold(budget, offlineSpans(input.faultSpans));
});

/** The requests each device tried while offline, apart from pulls-to-refresh, judged against the budget at the end. */
class RetryBudgetFold implements CheckFold {
  /** Per device, the times of the requests it tried while offline. */
  private readonly attempts = new Map<string, number[]>();
  /** Per device, the pulls-to-refresh under way: their requests are the user's, not the app's retries. */
  private readonly refreshing = new Map<string, number>();

  constructor(
    private readonly budget: number,
    private readonly offline: readonly FaultSpan[],
  ) {}

  take(event: HistoryEvent): void {
    const { attempts, refreshing, offline } = this;
    if (event.type === 'invoke' && event.f === 'refresh') refreshing.set(event.process, (refreshing.get(event.process) ?? 0) + 1);
    else if ((event.type === 'ok' || event.type === 'fail' || event.type === 'info') && event.f === 'refresh') {
      refreshing.set(event.process, Math.max(0, (refreshing.get(event.process) ?? 0) - 1));
    } else if (event.type === 'message' && (event.fate === 'sent' || event.fate === 'refused') && event.direction === 'to-server' && !refreshing.get(event.link)) {
      if (offline.some((span) => span.targets?.includes(event.link) && span.startMs <= event.t && (span.stopMs ?? Infinity) >= event.t)) {
        const times = attempts.get(event.link);
        if (times) times.push(event.t);
        else attempts.set(event.link, [event.t]);
      }
    }
  }

  finish(): CheckResult {
    return judged(this.budget, this.attempts, this.offline);
  }
}

function judged(budget: number, attempts: ReadonlyMap<string, number[]>, offline: readonly FaultSpan[]): CheckResult {
  const violations: Violation[] = [];
  for (const [device, times] of attempts) {
    const worst = busiestHour(times);
    if (worst.count <= budget) continue;
    violations.push({
      checker: 'retry-budget',
      summary: `${device} tried ${worst.count} requests while offline in the hour from ${clockTime(worst.fromMs)}, over its budget of ${budget}/h`,
      device,
      faults: offline.filter((span) => span.targets?.includes(device)),
    });
  }
  return { valid: violations.length === 0, violations };
}

function offlineSpans(spans: readonly FaultSpan[]): FaultSpan[] {
  return spans.filter((span) => span.kind === 'partition' && span.mode === 'drop');
}

/** The hour window holding the most of `times` (sorted), and where it starts. */
function busiestHour(times: readonly number[]): { count: number; fromMs: number } {
  let best = { count: 0, fromMs: 0 };
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] as number) - (times[start] as number) >= WINDOW_MS) start++;
    if (end - start + 1 > best.count) best = { count: end - start + 1, fromMs: times[start] as number };
  }
  return best;
}
