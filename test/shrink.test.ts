import { cpSync, mkdtempSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rootCause } from '../src/check/causes.ts';
import { REPO_ROOT, runCli } from './cli-helpers.ts';

const outDir = () => mkdtempSync(join(tmpdir(), 'sync-chaos-shrink-'));
const writesOf = (stdout: string, line: 'before' | 'after') => Number(new RegExp(`${line}\\s+devices \\d+ · writes (\\d+)`).exec(stdout)?.[1]);

describe('sync-chaos shrink', () => {
  it('cuts the never-pushes-deletes failure on baseline.yaml to a scenario 5x smaller in writes whose root cause is still resurrection, the same way twice, naming the run folder rather than latest', async () => {
    const out = outDir();
    const run = await runCli(['run', 'scenarios/baseline.yaml', '--client', 'fixtures/clients/never-pushes-deletes.ts', '--reporter', 'json', '--out', out]);
    expect(run.code).toBe(1);
    const copy = join(outDir(), 'copy');
    cpSync(join(out, 'latest'), copy, { recursive: true });

    const [first, second] = await Promise.all([
      runCli(['shrink', join(out, 'latest', 'report.json'), '--max-runs', '20']),
      runCli(['shrink', copy, '--case', '1', '--max-runs', '20']),
    ]);
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    expect(first.stdout).toContain('still failing with a resurrection violation');
    const runFolder = join(out, readlinkSync(join(out, 'latest')));
    expect(first.stdout).not.toContain('latest');
    expect(first.stdout).toContain(`replay: npx sync-chaos run ${relative(REPO_ROOT, join(runFolder, 'shrunk-case-1.yaml'))} --seed 42`);
    expect(writesOf(first.stdout, 'before')).toBe(JSON.parse(run.stdout).cases[0].counts.writes);
    expect(writesOf(first.stdout, 'after') * 5).toBeLessThanOrEqual(writesOf(first.stdout, 'before'));

    const shrunk = join(out, 'latest', 'shrunk-case-1.yaml');
    expect(readFileSync(join(copy, 'shrunk-case-1.yaml'), 'utf8').replace(/^#.*\n/gm, '')).toBe(readFileSync(shrunk, 'utf8').replace(/^#.*\n/gm, ''));
    expect((await runCli(['validate', shrunk])).code).toBe(0);

    const replay = /replay: npx sync-chaos (run .*)$/m.exec(first.stdout)![1]!.split(' ');
    const replayed = await runCli([...replay, '--reporter', 'json', '--out', outDir()]);
    expect(replayed.code).toBe(1);
    const [replayedCase] = JSON.parse(replayed.stdout).cases;
    expect(replayedCase.counts.writes).toBe(writesOf(first.stdout, 'after'));
    expect(rootCause(replayedCase.violations)?.checker).toBe('resurrection');
  });

  it('refuses a report with no failing case (exit 2)', async () => {
    const out = outDir();
    expect((await runCli(['run', 'scenarios/baseline.yaml', '--reporter', 'json', '--out', out])).code).toBe(0);
    const outcome = await runCli(['shrink', join(out, 'latest')]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('no case failed with a violation');
  });
});
