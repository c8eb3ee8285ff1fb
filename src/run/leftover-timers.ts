// The real timers a case leaves behind: a library's setInterval or retry setTimeout outlives the case that
// set it, fires into the next one and keeps the process from exiting. For the length of a case every global
// setTimeout, setInterval and setImmediate is recorded, and whatever has not fired or been cleared by the
// end is cleared then. (Virtual globals have no real timers to leave; node:timers imports are not seen.)

type TimerSetter = (callback: (...args: unknown[]) => void, ...rest: unknown[]) => unknown;
type TimerKind = 'setTimeout' | 'setInterval' | 'setImmediate';

const CLEARS: Record<TimerKind, 'clearTimeout' | 'clearInterval' | 'clearImmediate'> = {
  setTimeout: 'clearTimeout',
  setInterval: 'clearInterval',
  setImmediate: 'clearImmediate',
};

/** Starts recording the real timers set from now on; returns the end of the case, which clears those still pending. */
export function trackRealTimers(): () => void {
  const slots = globalThis as unknown as Record<string, TimerSetter | ((handle: unknown) => void)>;
  const pending = new Map<unknown, TimerKind>();
  const restores = (Object.keys(CLEARS) as TimerKind[]).map((kind) => {
    const original = slots[kind] as TimerSetter;
    const tracked: TimerSetter = (callback, ...rest) => {
      const fire = (...args: unknown[]) => {
        if (kind !== 'setInterval') pending.delete(handle);
        return callback(...args);
      };
      const handle = original(typeof callback === 'function' ? fire : callback, ...rest);
      pending.set(handle, kind);
      return handle;
    };
    Object.defineProperties(tracked, Object.getOwnPropertyDescriptors(original)); // setTimeout[promisify] and the like
    slots[kind] = tracked;
    return () => {
      if (slots[kind] === tracked) slots[kind] = original;
    };
  });
  return () => {
    for (const restore of restores) restore();
    for (const [handle, kind] of pending) (slots[CLEARS[kind]] as (handle: unknown) => void)(handle);
    pending.clear();
  };
}
