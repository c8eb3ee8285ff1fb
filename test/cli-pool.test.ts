import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, type CliOutcome } from './cli-helpers.ts';

/** The baseline scenario cut to two simulated minutes, so a handful of seeds runs in a few seconds. */
const SHORT = (() => {
  const file = join(mkdtempSync(join(tmpdir(), 'sync-chaos-pool-')), 'short.yaml');
  writeFileSync(file, readFileSync(join(REPO_ROOT, 'scenarios/baseline.yaml'), 'utf8').replace('duration: 10m', 'duration: 2m'));
  return file;
})();

interface Case {
  seed: number;
  verdict: string;
  wallMs?: number;
}

/** The JSON report with every wall time removed (and the run's id, start time and flags, which name the run rather than its results): the fields allowed to differ between runs. */
function withoutWallTimes(outcome: CliOutcome): { verdict: string; cases: Case[] } {
  const { runId: _runId, startedAt: _startedAt, command: _command, ...report } = JSON.parse(outcome.stdout) as { verdict: string; cases: Case[]; runId?: string; startedAt?: string; command?: unknown };
  for (const each of report.cases) delete each.wallMs;
  return report;
}

const maskWall = (stdout: string) => stdout.replace(/\d+\.\d+s wall/g, 'Xs wall');
const seedsOf = (outcome: CliOutcome) => withoutWallTimes(outcome).cases.map((each) => each.seed);

describe('sync-chaos run on a worker pool', () => {
  it('gives byte-identical reports and console output with 1 and 2 workers, wall times aside', async () => {
    const args = ['run', SHORT, '--seeds', '10..14'];
    const [oneJson, twoJson, oneConsole, twoConsole] = await Promise.all([
      runCli([...args, '--workers', '1', '--reporter', 'json']),
      runCli([...args, '--workers', '2', '--reporter', 'json']),
      runCli([...args, '--workers', '1']),
      runCli([...args, '--workers', '2']),
    ]);
    expect(oneJson.code).toBe(0);
    expect(twoJson.code).toBe(0);
    expect(seedsOf(oneJson)).toEqual([10, 11, 12, 13, 14]);
    expect(withoutWallTimes(twoJson)).toEqual(withoutWallTimes(oneJson));
    expect(JSON.stringify(withoutWallTimes(twoJson))).toBe(JSON.stringify(withoutWallTimes(oneJson)));
    expect(maskWall(twoConsole.stdout)).toBe(maskWall(oneConsole.stdout));
    expect(oneConsole.stdout).toContain('5 passed, 0 failed (5 cases)');
  });

  it('splits the seeds over shards by position: 1/2 and 2/2 together are the whole range', async () => {
    const args = ['run', SHORT, '--seeds', '20..24', '--workers', '2', '--reporter', 'json'];
    const [whole, first, second] = await Promise.all([runCli(args), runCli([...args, '--shard', '1/2']), runCli([...args, '--shard', '2/2'])]);
    expect(seedsOf(first)).toEqual([20, 22, 24]);
    expect(seedsOf(second)).toEqual([21, 23]);
    const merged = [...withoutWallTimes(first).cases, ...withoutWallTimes(second).cases].sort((a, b) => a.seed - b.seed);
    expect(merged).toEqual(withoutWallTimes(whole).cases);
  });

  it('stops after the n-th failing case in seed order, whatever the worker count', async () => {
    const args = ['run', SHORT, '--seeds', '6', '--client', 'fixtures/clients/never-pushes-deletes.ts', '--stop-after', '2', '--reporter', 'json'];
    const [whole, one, two] = await Promise.all([
      runCli(['run', SHORT, '--seeds', '6', '--client', 'fixtures/clients/never-pushes-deletes.ts', '--workers', '2', '--reporter', 'json']),
      runCli([...args, '--workers', '1']),
      runCli([...args, '--workers', '2']),
    ]);
    const cases = withoutWallTimes(whole).cases;
    const secondFailure = cases.filter((each) => each.verdict !== 'pass')[1];
    expect(secondFailure).toBeDefined();
    const expected = cases.slice(0, cases.indexOf(secondFailure!) + 1);
    expect(one.code).toBe(1);
    expect(withoutWallTimes(one).cases).toEqual(expected);
    expect(withoutWallTimes(two)).toEqual(withoutWallTimes(one));
    if (expected.length < cases.length) expect(two.stderr).toContain('--stop-after 2: stopped at the 2nd failing case');
  });

  it('runs seeds in order within --time-budget and reports a seed-order prefix, never a gap', async () => {
    const outcome = await runCli(['run', SHORT, '--seeds', '30..35', '--workers', '2', '--time-budget', '1ms', '--reporter', 'json']);
    expect(outcome.code).toBe(0);
    const seeds = seedsOf(outcome);
    expect(seeds.length).toBeGreaterThanOrEqual(1); // the first seed always runs
    expect(seeds).toEqual([30, 31, 32, 33, 34, 35].slice(0, seeds.length));
    expect(outcome.stderr).toMatch(new RegExp(`--time-budget 1ms: ${seeds.length} of 6 cases fit`));
  });

  it('keeps bad input in a worker as exit 2, as on the main thread', async () => {
    const args = ['run', 'scenarios/upgrade.yaml', '--seeds', '2', '--client', 'fixtures/clients/never-pushes-deletes.ts'];
    const [one, two] = await Promise.all([runCli([...args, '--workers', '1']), runCli([...args, '--workers', '2'])]);
    expect(one.code).toBe(2);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('the upgrade fault installs older and newer builds of the app, and this client declares none');
  });

  it('exits 3 with the error when a worker thread crashes outside a case', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-pool-'));
    writeFileSync(join(folder, 'package.json'), '{ "type": "module" }\n');
    const client = join(folder, 'crashes-thread.ts');
    writeFileSync(
      client,
      [
        "import base from '" + join(REPO_ROOT, 'fixtures/clients/never-pushes-deletes.ts') + "';",
        "setImmediate(() => { throw new Error('thread-killer: thrown outside any case'); });",
        'export default base;',
        '',
      ].join('\n'),
    );
    const outcome = await runCli(['run', SHORT, '--seeds', '2', '--workers', '2', '--client', client]);
    expect(outcome.code).toBe(3);
    expect(outcome.stderr).toContain('thread-killer: thrown outside any case');
  });

  it.concurrent.each([
    [['--shard', '0/3'], /--shard expects i\/n with 1 <= i <= n/],
    [['--shard', '4/3'], /--shard expects i\/n with 1 <= i <= n .*found "4\/3"/],
    [['--shard', 'x'], /--shard expects i\/n/],
    [['--workers', '0'], /--workers must be at least 1/],
    [['--stop-after', 'some'], /--stop-after expects a whole number/],
    [['--time-budget', '10'], /--time-budget expects a duration like "90s"/],
  ])('exits 2 with a clear message for %j', async (flags, message) => {
    const { code, stderr, stdout } = await runCli(['run', SHORT, '--seeds', '3', ...flags]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });
});
