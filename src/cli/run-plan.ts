// The run plan: `run`'s seed, seeds, shard, workers, time-budget and stop-after flags parsed once,
// before anything runs, into plain data, then the cases it asks for. Every check of these flags
// lives here: a bad one is bad input (exit 2) that names the flag and what it expected.
import { BadInputError } from '../errors.ts';
import { parseDuration } from '../scenario/index.ts';
import type { CaseTask } from './run-case.ts';

/** The most seeds one `--seeds` may ask for, per scenario file: a million cases is days of CPU, and past it the case list itself gets heavy. */
const MAX_SEEDS = 1_000_000;
/** Worker threads per core at most: each holds its own simulation and databases (about 70 MB), so past this memory runs out before speed goes up. */
const WORKERS_PER_CORE = 4;

/** The flags the plan reads, as commander hands them over (text, unparsed). */
export interface RunPlanFlags {
  seed?: string;
  seeds?: string;
  workers?: string;
  shard?: string;
  stopAfter?: string;
  timeBudget?: string;
}

export interface RunPlan {
  /** `--seeds from..to`, or a count of consecutive seeds from `--seed` (without it, each scenario's own seed). */
  seeds: { from: number; to: number } | { count: number; first?: number };
  /** `--shard i/n`: only the seeds at positions i-1, i-1+n, i-1+2n, … of each scenario's seed list. */
  shard?: { index: number; count: number };
  /** Worker threads; 1 runs the cases on the CLI's own thread. */
  workers: number;
  /** Stop after this many failing cases, in seed order. */
  stopAfter?: number;
  /** Hand out no case once this much wall time is spent (the first always runs); `text` as the flag gave it. */
  timeBudget?: { ms: number; text: string };
}

/** The plan the flags ask for; `cores` is the default worker count. */
export function parseRunPlan(flags: RunPlanFlags, cores: number): RunPlan {
  const workers = flags.workers === undefined ? cores : wholeNumber('--workers', flags.workers);
  if (workers < 1) throw new BadInputError('--workers must be at least 1');
  if (workers > cores * WORKERS_PER_CORE) {
    throw new BadInputError(`--workers ${workers}: at most ${cores * WORKERS_PER_CORE} here (${WORKERS_PER_CORE} per core, ${cores} cores); each worker holds its own simulation and databases`);
  }
  const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
  const stopAfter = flags.stopAfter === undefined ? undefined : wholeNumber('--stop-after', flags.stopAfter);
  if (stopAfter !== undefined && stopAfter < 1) throw new BadInputError('--stop-after must be at least 1');
  const timeBudget = flags.timeBudget === undefined ? undefined : parseTimeBudget(flags.timeBudget);
  return { seeds: parseSeeds(flags), workers, ...(shard && { shard }), ...(stopAfter !== undefined && { stopAfter }), ...(timeBudget && { timeBudget }) };
}

/** Every case the plan asks for, scenario by scenario, in seed order; `scenarioSeeds` holds each file's own seed. */
export function plannedTasks(plan: RunPlan, scenarioSeeds: readonly number[]): CaseTask[] {
  const { seeds, shard } = plan;
  return scenarioSeeds.flatMap((scenarioSeed, fileIndex) => {
    const [first, count] = 'from' in seeds ? [seeds.from, seeds.to - seeds.from + 1] : [seeds.first ?? scenarioSeed, seeds.count];
    // Compared without adding first: past 2^53 the sum itself rounds, and consecutive seeds would collapse into one.
    if (count - 1 > Number.MAX_SAFE_INTEGER - first) {
      throw new BadInputError(`--seeds ${count} from seed ${first}: the last seed would be past ${Number.MAX_SAFE_INTEGER}, the largest whole number a seed can be`);
    }
    return Array.from({ length: count }, (_, index) => ({ fileIndex, seed: first + index })).filter((_, index) => !shard || index % shard.count === shard.index - 1);
  });
}

function parseSeeds(flags: RunPlanFlags): RunPlan['seeds'] {
  const range = /^(\d+)\.\.(\d+)$/.exec(flags.seeds ?? '');
  if (range) {
    const flag = `--seeds ${flags.seeds}`;
    if (flags.seed !== undefined) throw new BadInputError(`--seed ${flags.seed} with the range ${flag}: both say where the seeds start; give the range alone, or --seed with a count`);
    const [from, to] = [seedNumber(flag, range[1]!), seedNumber(flag, range[2]!)];
    if (to < from) throw new BadInputError(`${flag}: the range ends before it starts`);
    checkSeedCount(flag, to - from + 1);
    return { from, to };
  }
  const count = wholeNumber('--seeds', flags.seeds ?? '1');
  if (count < 1) throw new BadInputError('--seeds must be at least 1');
  checkSeedCount(`--seeds ${count}`, count);
  return { count, ...(flags.seed !== undefined && { first: seedNumber('--seed', flags.seed) }) };
}

function checkSeedCount(flag: string, count: number): void {
  if (count > MAX_SEEDS) throw new BadInputError(`${flag}: ${count} seeds is more than the ${MAX_SEEDS} one run takes; split the sweep over several runs`);
}

/** A seed is a safe integer: past 2^53 - 1, consecutive numbers collapse into one and the same case would run twice. */
function seedNumber(flag: string, text: string): number {
  const seed = wholeNumber(flag, text);
  if (!Number.isSafeInteger(seed)) throw new BadInputError(`${flag}: seed ${text} is past ${Number.MAX_SAFE_INTEGER}, the largest whole number a seed can be`);
  return seed;
}

function parseShard(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const [index, count] = [Number(match?.[1]), Number(match?.[2])];
  if (!match || count < 1 || index < 1 || index > count) {
    throw new BadInputError(`--shard expects i/n with 1 <= i <= n (for example 1/4), found "${text}"`);
  }
  return { index, count };
}

function parseTimeBudget(text: string): { ms: number; text: string } {
  const ms = parseDuration(text);
  if (ms === undefined) throw new BadInputError(`--time-budget expects a duration like "90s", "10m" or "2h", found "${text}"`);
  return { ms, text };
}

function wholeNumber(flag: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new BadInputError(`${flag} expects a whole number, found "${text}"`);
  return Number(text);
}
