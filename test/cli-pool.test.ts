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
function withoutWallTimes(json: string): { verdict: string; cases: Case[] } {
  const { runId: _runId, startedAt: _startedAt, command: _command, ...report } = JSON.parse(json) as { verdict: string; cases: Case[]; runId?: string; startedAt?: string; command?: unknown };
  for (const each of report.cases) delete each.wallMs;
  return report;
}

const maskWall = (stdout: string) => stdout.replace(/\d+\.\d+s wall/g, 'Xs wall');
const seedsOf = (json: string) => withoutWallTimes(json).cases.map((each) => each.seed);

type Reported = CliOutcome & { json: string };

/** A run's console output and the report.json it wrote (the JSON reporter writes its file only, beside a console). */
async function runWithReport(args: string[]): Promise<Reported> {
  const out = mkdtempSync(join(tmpdir(), 'sync-chaos-pool-'));
  const outcome = await runCli([...args, '--reporter', 'console', '--reporter', 'json', '--out', out]);
  return { ...outcome, json: readFileSync(join(out, 'latest', 'report.json'), 'utf8') };
}

/** Seeds 10..14 of the short scenario with 1 and with 2 workers, run once for the tests that compare them. */
let pooled: Promise<[Reported, Reported]> | undefined;
const onWorkers = (workers: number) => runWithReport(['run', SHORT, '--seeds', '10..14', '--workers', String(workers)]);
const oneAndTwoWorkers = () => (pooled ??= Promise.all([onWorkers(1), onWorkers(2)]));

describe('sync-chaos run on a worker pool', () => {
  it('gives byte-identical reports and console output with 1 and 2 workers, wall times aside', async () => {
    const [one, two] = await oneAndTwoWorkers();
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(seedsOf(one.json)).toEqual([10, 11, 12, 13, 14]);
    expect(withoutWallTimes(two.json)).toEqual(withoutWallTimes(one.json));
    expect(JSON.stringify(withoutWallTimes(two.json))).toBe(JSON.stringify(withoutWallTimes(one.json)));
    expect(maskWall(two.stdout)).toBe(maskWall(one.stdout));
    expect(one.stdout).toContain('5 passed, 0 failed (5 cases)');
  });

  it('splits the seeds over shards by position: 1/2 and 2/2 together are the whole range', async () => {
    const args = ['run', SHORT, '--seeds', '10..14', '--workers', '1', '--reporter', 'json'];
    const [[, whole], first, second] = await Promise.all([oneAndTwoWorkers(), runCli([...args, '--shard', '1/2']), runCli([...args, '--shard', '2/2'])]);
    expect(seedsOf(first.stdout)).toEqual([10, 12, 14]);
    expect(seedsOf(second.stdout)).toEqual([11, 13]);
    const merged = [...withoutWallTimes(first.stdout).cases, ...withoutWallTimes(second.stdout).cases].sort((a, b) => a.seed - b.seed);
    expect(merged).toEqual(withoutWallTimes(whole.json).cases);
  });

  it('stops after the n-th failing case in seed order, whatever the worker count', async () => {
    const args = ['run', SHORT, '--seeds', '6', '--client', 'fixtures/clients/never-pushes-deletes.ts', '--stop-after', '2', '--reporter', 'json'];
    const [one, two] = await Promise.all([runCli([...args, '--workers', '1']), runCli([...args, '--workers', '2'])]);
    expect(one.code).toBe(1);
    // a seed-order prefix of the six seeds (baseline's, from 42) that ends at its second failing case, with no failing case before it but one
    const cases = withoutWallTimes(one.stdout).cases;
    expect(cases.map((each) => each.seed)).toEqual([42, 43, 44, 45, 46, 47].slice(0, cases.length));
    expect(cases.filter((each) => each.verdict !== 'pass')).toHaveLength(2);
    expect(cases.at(-1)!.verdict).not.toBe('pass');
    expect(withoutWallTimes(two.stdout)).toEqual(withoutWallTimes(one.stdout));
    if (cases.length < 6) expect(two.stderr).toContain('--stop-after 2: stopped at the 2nd failing case');
  });

  it('runs seeds in order within --time-budget and reports a seed-order prefix, never a gap', async () => {
    const outcome = await runCli(['run', SHORT, '--seeds', '30..35', '--workers', '2', '--time-budget', '1ms', '--reporter', 'json']);
    expect(outcome.code).toBe(0);
    const seeds = seedsOf(outcome.stdout);
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

  // every pool flag's bad values and messages are run-plan.test.ts's; this is their way out of the CLI
  it('exits 2 with the message and nothing on stdout for a bad pool flag', async () => {
    const { code, stderr, stdout } = await runCli(['run', SHORT, '--seeds', '3', '--shard', '4/3']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/--shard expects i\/n with 1 <= i <= n .*found "4\/3"/);
  });
});
