// The run plan: `run`'s seed, seeds, shard, workers, time-budget and stop-after flags parsed once
// into data, each bad one a BadInputError naming the flag, and the cases the plan asks for.
import { describe, expect, it } from 'vitest';
import { parseRunPlan, plannedTasks, type RunPlanFlags } from '../src/cli/run-plan.ts';
import { BadInputError } from '../src/errors.ts';

const CORES = 4;
const plan = (flags: RunPlanFlags) => parseRunPlan(flags, CORES);

describe('the run plan', () => {
  it('runs one seed per scenario, its own, on as many workers as there are cores, without flags', () => {
    expect(plan({})).toEqual({ seeds: { count: 1 }, workers: CORES });
    expect(plannedTasks(plan({}), [42, 7])).toEqual([
      { fileIndex: 0, seed: 42 },
      { fileIndex: 1, seed: 7 },
    ]);
  });

  it('counts --seeds from --seed, or from each scenario\'s own seed without it', () => {
    expect(plannedTasks(plan({ seeds: '3' }), [42, 7]).map(({ seed }) => seed)).toEqual([42, 43, 44, 7, 8, 9]);
    expect(plannedTasks(plan({ seed: '10', seeds: '2' }), [42, 7])).toEqual([
      { fileIndex: 0, seed: 10 },
      { fileIndex: 0, seed: 11 },
      { fileIndex: 1, seed: 10 },
      { fileIndex: 1, seed: 11 },
    ]);
  });

  it('runs an inclusive --seeds range for every scenario, whatever its own seed', () => {
    expect(plan({ seeds: '5..7' }).seeds).toEqual({ from: 5, to: 7 });
    expect(plannedTasks(plan({ seeds: '5..7' }), [42, 1]).map(({ fileIndex, seed }) => `${fileIndex}:${seed}`)).toEqual(['0:5', '0:6', '0:7', '1:5', '1:6', '1:7']);
  });

  it('gives shard i/n the seeds at positions i-1 mod n of each scenario, so the shards together are the whole plan', () => {
    const seedsOf = (shard: string) => plannedTasks(plan({ seeds: '20..24', shard }), [0]).map(({ seed }) => seed);
    expect(seedsOf('1/2')).toEqual([20, 22, 24]);
    expect(seedsOf('2/2')).toEqual([21, 23]);
    expect(seedsOf('3/3')).toEqual([22]);
    expect([...seedsOf('1/3'), ...seedsOf('2/3'), ...seedsOf('3/3')].sort()).toEqual([20, 21, 22, 23, 24]);
  });

  it('keeps the workers, --stop-after and --time-budget (as given and in milliseconds)', () => {
    expect(plan({ workers: '1', stopAfter: '2', timeBudget: '90s' })).toEqual({ seeds: { count: 1 }, workers: 1, stopAfter: 2, timeBudget: { ms: 90_000, text: '90s' } });
  });

  it.each([
    [{ seeds: 'many' }, '--seeds expects a whole number, found "many"'],
    [{ seeds: '0' }, '--seeds must be at least 1'],
    [{ seeds: '9..3' }, '--seeds 9..3: the range ends before it starts'],
    [{ seed: 'x' }, '--seed expects a whole number, found "x"'],
    [{ shard: '0/3' }, '--shard expects i/n with 1 <= i <= n (for example 1/4), found "0/3"'],
    [{ shard: '4/3' }, '--shard expects i/n with 1 <= i <= n (for example 1/4), found "4/3"'],
    [{ shard: 'x' }, '--shard expects i/n with 1 <= i <= n (for example 1/4), found "x"'],
    [{ workers: '0' }, '--workers must be at least 1'],
    [{ workers: 'two' }, '--workers expects a whole number, found "two"'],
    [{ stopAfter: '0' }, '--stop-after must be at least 1'],
    [{ stopAfter: 'some' }, '--stop-after expects a whole number, found "some"'],
    [{ timeBudget: '10' }, '--time-budget expects a duration like "90s", "10m" or "2h", found "10"'],
    [{ seeds: '999999999999' }, '--seeds 999999999999: 999999999999 seeds is more than the 1000000 one run takes'],
    [{ seeds: '1..1000001' }, '--seeds 1..1000001: 1000001 seeds is more than the 1000000 one run takes'],
    [{ seed: '9007199254740992', seeds: '3' }, '--seed: seed 9007199254740992 is past 9007199254740991'],
    [{ seeds: '9007199254740990..9007199254740993' }, '--seeds 9007199254740990..9007199254740993: seed 9007199254740993 is past 9007199254740991'],
    [{ seed: '5', seeds: '1..3' }, '--seed 5 with the range --seeds 1..3: both say where the seeds start'],
    [{ workers: String(CORES * 4 + 1) }, `--workers ${CORES * 4 + 1}: at most ${CORES * 4} here (4 per core, ${CORES} cores)`],
  ] as [RunPlanFlags, string][])('turns %o away as bad input', (flags, message) => {
    expect(() => plan(flags)).toThrow(BadInputError);
    expect(() => plan(flags)).toThrow(message);
  });

  it('takes a million seeds, 4 workers per core, and seeds up to 2^53 - 1, but no seed past it', () => {
    expect(plan({ seeds: '1000000', workers: String(CORES * 4) })).toEqual({ seeds: { count: 1_000_000 }, workers: CORES * 4 });
    expect(plannedTasks(plan({ seed: '9007199254740989', seeds: '3' }), [0]).map(({ seed }) => seed)).toEqual([9007199254740989, 9007199254740990, 9007199254740991]);
    // 9007199254740990 + 3 - 1 rounds to 2^53 - 1 in doubles: the check must not add first.
    expect(() => plannedTasks(plan({ seed: '9007199254740990', seeds: '3' }), [0])).toThrow('--seeds 3 from seed 9007199254740990: the last seed would be past 9007199254740991');
    expect(() => plannedTasks(plan({ seeds: '2' }), [Number.MAX_SAFE_INTEGER])).toThrow(BadInputError);
  });
});
