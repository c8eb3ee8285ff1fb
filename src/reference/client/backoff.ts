// Retrying a failing sync without burning the battery: exponential backoff with equal jitter drawn
// from the device's seeded stream, and an hourly budget of failed attempts that a success between
// outages does not reset. Both are kept in the device database, so killing the app does not reset them.
import type Database from 'better-sqlite3';
import type { RetrySettings } from '../../adapter.ts';

export const BUDGET_WINDOW_MS = 3_600_000;

/**
 * The wait before the next attempt after `failures` failed ones in a row, ms: equal jitter under an
 * exponential ceiling (`min(maxMs, baseMs * 2^(failures-1))`): half the ceiling plus a random share of
 * the other half, so the same `random` gives the same schedule. No failure, no wait.
 */
export function backoffDelayMs(failures: number, retry: { baseMs: number; maxMs: number }, random: () => number): number {
  if (failures < 1) return 0;
  const ceilingMs = Math.min(retry.maxMs, retry.baseMs * 2 ** (failures - 1));
  return Math.round(ceilingMs / 2 + (random() * ceilingMs) / 2);
}

/**
 * Consecutive failed sync attempts, and when the failed attempts of the last hour happened, as this
 * device has kept them. A success resets the backoff but not the hour's count: a device that goes
 * offline several times in an hour has one budget for all its outages, not one for each.
 */
export class RetryState {
  private failuresValue: number;
  /** When the failed attempts the table keeps happened, oldest first: after a failure, only the last hour's. */
  private attemptTimesMs: number[];
  private readonly statements;
  private readonly runAtomically: (work: () => unknown) => unknown;

  constructor(
    db: Database.Database,
    private readonly retry: RetrySettings,
    private readonly now: () => number,
    private readonly random: () => number,
  ) {
    this.statements = {
      failures: db.prepare<[], { value: number }>("SELECT value FROM sync_state WHERE key = 'failures'"),
      setFailures: db.prepare<[number]>(
        "INSERT INTO sync_state (key, value) VALUES ('failures', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      ),
      addAttempt: db.prepare<[number]>('INSERT INTO sync_attempts (at_ms) VALUES (?)'),
      forgetBefore: db.prepare<[number]>('DELETE FROM sync_attempts WHERE at_ms <= ?'),
    };
    this.failuresValue = this.statements.failures.get()?.value ?? 0;
    this.attemptTimesMs = db
      .prepare<[], { atMs: number }>('SELECT at_ms AS atMs FROM sync_attempts ORDER BY at_ms')
      .all()
      .map((row) => row.atMs);
    this.runAtomically = db.transaction((work: () => unknown) => work());
  }

  /** Syncs are failing: automatic triggers leave the next attempt to the retry timer. */
  get failing(): boolean {
    return this.failuresValue > 0;
  }

  get failures(): number {
    return this.failuresValue;
  }

  succeeded(): void {
    if (!this.failing) return;
    this.failuresValue = 0;
    this.statements.setFailures.run(0);
  }

  /**
   * Records a failed attempt and answers how long to wait before the next automatic one, ms: the
   * backoff delay, or longer when the hour's budget is spent, until the oldest attempt leaves the window.
   */
  failed(): number {
    const nowMs = this.now();
    this.failuresValue++;
    const windowStartMs = nowMs - BUDGET_WINDOW_MS;
    this.runAtomically(() => {
      this.statements.setFailures.run(this.failuresValue);
      this.statements.addAttempt.run(nowMs);
      this.statements.forgetBefore.run(windowStartMs);
    });
    this.attemptTimesMs = [...this.attemptTimesMs.filter((atMs) => atMs > windowStartMs), nowMs].sort((a, b) => a - b);
    const delayMs = backoffDelayMs(this.failuresValue, this.retry, this.random);
    // Rates like 20/h arrive as 20 * 3600 / 3600, a hair off 20: that must not buy a 21st attempt.
    if (this.attemptTimesMs.length < Math.max(1, Math.floor(this.retry.budgetPerHour + 1e-9))) return delayMs;
    // A clock set back may leave attempts "in the future": the window never needs more than its own length.
    return Math.max(delayMs, Math.min(BUDGET_WINDOW_MS, (this.attemptTimesMs[0] as number) + BUDGET_WINDOW_MS - nowMs));
  }
}
