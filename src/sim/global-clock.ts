// Third-party code that reads global time (mock-socket delays its events with `setTimeout(…, 4)` and
// stamps them with `Date.now()`) runs on the simulated clock: for the length of a run,
// @sinonjs/fake-timers replaces the global setTimeout, clearTimeout and Date, and every timer set
// through them fires in a scheduler event at its simulated time, so a seed stays a full replay.
import FakeTimers from '@sinonjs/fake-timers';
import type { Scheduler } from './scheduler.ts';

let installedBy: Scheduler | undefined;

/** Puts the global timers and Date on `scheduler`'s clock; returns the uninstall. One scheduler per thread at a time. */
export function installGlobalClock(scheduler: Scheduler): () => void {
  if (installedBy) throw new Error('the global clock already follows another run in this thread: runs with pokes cannot overlap in one thread');
  const clock = FakeTimers.withGlobal(globalThis).install({ now: scheduler.nowMs, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  installedBy = scheduler;
  const catchUp = () => void clock.tick(Math.max(0, scheduler.nowMs - clock.now));
  const fakeSetTimeout = globalThis.setTimeout;
  globalThis.setTimeout = ((callback: () => void, delayMs?: number, ...args: unknown[]) => {
    catchUp();
    const id = fakeSetTimeout(callback, delayMs, ...args);
    scheduler.after(Math.max(0, Number(delayMs) || 0), catchUp);
    return id;
  }) as typeof globalThis.setTimeout;
  return () => {
    if (installedBy !== scheduler) return;
    clock.uninstall();
    installedBy = undefined;
  };
}
