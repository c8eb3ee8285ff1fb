// Seeded randomness for a simulated run: one named alea stream per concern, derived from the
// master seed, so adding a device or a fault never shifts the choices of any other concern.
import seedrandom from 'seedrandom';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** Exponentially distributed wait with the given mean, rounded up to a whole millisecond. */
  exponentialMs(meanMs: number): number;
}

export function createRng(masterSeed: number, stream: string): Rng {
  const next = seedrandom.alea(`${masterSeed}/${stream}`);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(0, items.length - 1)] as T;
    },
    exponentialMs: (meanMs) => Math.max(1, Math.ceil(-Math.log(1 - next()) * meanMs)),
  };
}
