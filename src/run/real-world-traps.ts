// Traps for the system under test's reads of the real world during a simulated run: the real Date.now,
// Math.random, crypto.randomUUID, global setTimeout and global fetch make a seed stop being a replay. For the
// length of a run each is wrapped; a call whose nearest application frame (past library and Node frames)
// lies outside sync-chaos's own src/ is reported once per kind, with a stack excerpt. The wrapped function
// still runs as it would, and nothing goes into the history, so traps never change an event-log hash.
import { fileURLToPath } from 'node:url';

export type TrappedKind = 'Date.now' | 'Math.random' | 'crypto.randomUUID' | 'setTimeout' | 'fetch';

export interface RealWorldCall {
  kind: TrappedKind;
  /** The first frames of the call, from the system under test's code on. */
  stack: string;
}

const OWN_SOURCE = fileURLToPath(new URL('..', import.meta.url));
const STACK_FRAMES_SHOWN = 4;

interface Trappable {
  kind: TrappedKind;
  owner: object;
  name: string;
}

/**
 * Wraps each kind's global for the length of a run and reports the system under test's calls, once per kind;
 * `kinds` leaves out what is virtual in this run (fake-timers owns setTimeout and Date with pokes). Returns the uninstall.
 */
export function installRealWorldTraps(kinds: readonly TrappedKind[], onCall: (call: RealWorldCall) => void): () => void {
  const all: Trappable[] = [
    { kind: 'Date.now', owner: Date, name: 'now' },
    { kind: 'Math.random', owner: Math, name: 'random' },
    { kind: 'crypto.randomUUID', owner: globalThis.crypto, name: 'randomUUID' },
    { kind: 'setTimeout', owner: globalThis, name: 'setTimeout' },
    { kind: 'fetch', owner: globalThis, name: 'fetch' },
  ];
  const seen = new Set<TrappedKind>();
  const restores = all
    .filter(({ kind }) => kinds.includes(kind))
    .map(({ kind, owner, name }) => {
      const slots = owner as Record<string, unknown>;
      const original = slots[name] as (...args: unknown[]) => unknown;
      const trapped = function (this: unknown, ...args: unknown[]) {
        if (!seen.has(kind)) {
          const stack = callerStack(new Error().stack ?? '');
          if (stack !== undefined) {
            seen.add(kind);
            onCall({ kind, stack });
          }
        }
        return original.apply(this, args);
      };
      Object.defineProperties(trapped, Object.getOwnPropertyDescriptors(original)); // setTimeout[promisify] and the like
      slots[name] = trapped;
      return () => {
        if (slots[name] === trapped) slots[name] = original;
      };
    });
  return () => {
    for (const restore of restores) restore();
  };
}

/** The stack from the nearest application frame on, or undefined when that frame is ours (or there is none). */
function callerStack(stack: string): string | undefined {
  const frames = stack.split('\n').slice(2); // the message and the trap itself
  const first = frames.findIndex((frame) => !/node:|node_modules|\(native\)|\(<anonymous>\)|at <anonymous>$/.test(frame.trim()));
  if (first === -1 || frames[first]!.includes(OWN_SOURCE)) return undefined;
  return frames.slice(first, first + STACK_FRAMES_SHOWN).map((frame) => frame.trim()).join('\n');
}
