// The scheduler of a real-network run: the same event queue, paced by the real clock scaled by
// `timeScale` (60: one real second is a simulated minute), so that timers, latencies and faults
// keep their simulated meaning while real sockets answer whenever they answer.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Scheduler, type Cancel } from '../../sim/scheduler.ts';

/** Longest real wait between two looks at the queue: bounds how late an event or a stop condition is noticed. */
const SLICE_MS_MAX = 5;

export class PacedScheduler extends Scheduler {
  /** When the first runUntil began: the run's time 0; until then time stands still, as setup is not part of the run. */
  private startedAtMs: number | undefined;

  constructor(
    onTaskError: (error: unknown) => void,
    private readonly timeScale: number,
  ) {
    super(onTaskError);
  }

  /** Simulated time: the real time elapsed since the run started, scaled; never behind the last event run. */
  override get nowMs(): number {
    return Math.max(super.nowMs, this.scaledRealMs());
  }

  override after(delayMs: number, task: () => void): Cancel {
    return this.at(this.nowMs + Math.max(0, Math.round(delayMs)), task);
  }

  /** Runs each event once the scaled real clock reaches its time, until `endMs` or until `stop()` says so. */
  override async runUntil(endMs: number, stop: () => boolean = () => false): Promise<void> {
    this.startedAtMs ??= performance.now();
    for (;;) {
      await super.runUntil(Math.min(this.scaledRealMs(), endMs), stop);
      if (stop() || super.nowMs >= endMs) return;
      await sleep(Math.min(SLICE_MS_MAX, (endMs - this.scaledRealMs()) / this.timeScale));
    }
  }

  private scaledRealMs(): number {
    if (this.startedAtMs === undefined) return 0;
    return Math.round((performance.now() - this.startedAtMs) * this.timeScale);
  }
}
