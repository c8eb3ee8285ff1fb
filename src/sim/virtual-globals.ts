// Virtual globals (`system.globals: virtual`): for the length of a simulated run the global Date, timers
// (setTimeout, setInterval, setImmediate and node:timers), performance.now and process.hrtime follow the
// run's scheduler through @sinonjs/fake-timers, and Math.random, crypto.randomUUID and crypto.getRandomValues
// draw from seeded streams, so a third-party library that reads them replays byte for byte and its own timers fire in simulated time.
import FakeTimers from '@sinonjs/fake-timers';
import nodeCrypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import type { Scheduler } from './scheduler.ts';

/** The globals a run makes virtual, and the ones it leaves real: what docs/adapters.md lists. */
export const FAKED_TIMERS = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date', 'performance', 'hrtime'] as const;

export interface VirtualGlobalsSettings {
  scheduler: Scheduler;
  /** Seeded streams: `Math.random`'s, in [0, 1); `crypto.randomUUID`'s; and the one random bytes come from, in [0, 1). */
  random: () => number;
  uuid: () => string;
  bytes: () => number;
  /**
   * Wraps a timer's callback as it is set: the run binds it to the app process that set it, so a dead
   * process's timers never fire and a suspended one's wait. Identity by default.
   */
  own?: <A extends unknown[]>(callback: (...args: A) => void) => (...args: A) => void;
}

type Timer = (callback: (...args: unknown[]) => void, delayMs?: number, ...args: unknown[]) => unknown;
type Immediate = (callback: (...args: unknown[]) => void, ...args: unknown[]) => unknown;

let installedBy: Scheduler | undefined;

/** Makes the globals virtual on `scheduler`'s clock; returns the uninstall, which restores every real one. One run per thread at a time. */
export function installVirtualGlobals(settings: VirtualGlobalsSettings): () => void {
  const { scheduler, random, uuid, bytes } = settings;
  if (installedBy) throw new Error('the globals already follow another run in this thread: runs with virtual globals cannot overlap in one thread');
  const own = settings.own ?? ((callback) => callback);
  const clock = FakeTimers.withGlobal(globalThis).install({ now: scheduler.nowMs, toFake: [...FAKED_TIMERS], loopLimit: Number.MAX_SAFE_INTEGER });
  installedBy = scheduler;
  let ticking = false;
  /** Fires every fake timer due by the scheduler's time, in the order fake-timers keeps (time, then creation). */
  const catchUp = () => {
    if (ticking) return;
    ticking = true;
    try {
      clock.tick(Math.max(0, scheduler.nowMs - clock.now));
    } finally {
      ticking = false;
    }
  };
  /** A scheduler event at the time a timer just set is due (fake-timers adds 1 ms to a zero delay set while it ticks). */
  const wake = (delayMs: unknown) => {
    const ms = Math.ceil(Math.max(0, Number(delayMs) || 0));
    scheduler.after(ms === 0 && ticking ? 1 : ms, catchUp);
  };
  // the global clock reads the run's time whenever code runs: timers due by then fire first
  scheduler.onAdvance = catchUp;
  const fake = { setTimeout: globalThis.setTimeout as unknown as Timer, setInterval: globalThis.setInterval as unknown as Timer, setImmediate: globalThis.setImmediate as unknown as Immediate };
  const slots = globalThis as unknown as Record<string, unknown>;
  slots.setTimeout = (callback: (...args: unknown[]) => void, delayMs?: number, ...args: unknown[]) => {
    const id = fake.setTimeout(own(callback), delayMs, ...args);
    wake(delayMs);
    return id;
  };
  slots.setInterval = (callback: (...args: unknown[]) => void, delayMs?: number, ...args: unknown[]) => {
    // Node runs a zero interval every millisecond; fake-timers would loop at one instant
    const everyMs = Math.max(1, Math.ceil(Number(delayMs) || 0));
    const owned = own(callback);
    const id = fake.setInterval((...given: unknown[]) => {
      wake(everyMs);
      owned(...given);
    }, everyMs, ...args);
    wake(everyMs);
    return id;
  };
  slots.setImmediate = (callback: (...args: unknown[]) => void, ...args: unknown[]) => {
    const id = fake.setImmediate(own(callback), ...args);
    wake(0);
    return id;
  };
  const restoreRandom = replace(Math, 'random', random);
  const crypto = globalThis.crypto;
  const restoreUuid = replace(crypto, 'randomUUID', uuid);
  // node:crypto's own randomUUID too, its named ESM export included
  const restoreNodeUuid = replace(nodeCrypto, 'randomUUID', uuid);
  syncBuiltinESMExports();
  const restoreBytes = replace(crypto, 'getRandomValues', <T extends ArrayBufferView | null>(array: T): T => {
    if (array === null) return array;
    const view = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    for (let i = 0; i < view.length; i++) view[i] = Math.floor(bytes() * 256);
    return array;
  });
  return () => {
    if (installedBy !== scheduler) return;
    scheduler.onAdvance = undefined;
    restoreBytes();
    restoreNodeUuid();
    restoreUuid();
    restoreRandom();
    clock.uninstall();
    // after the uninstall, so node:timers' named ESM exports go back to the real timers too
    syncBuiltinESMExports();
    installedBy = undefined;
  };
}

/** Puts `value` in `owner[name]`; returns the restore of the original. */
function replace<O extends object>(owner: O, name: keyof O & string, value: unknown): () => void {
  const slots = owner as Record<string, unknown>;
  const original = slots[name];
  slots[name] = value;
  return () => {
    slots[name] = original;
  };
}
