import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportSchemaProblems } from '../src/report/report-schema.ts';
import { REPO_ROOT, runCli } from './cli-helpers.ts';

const outDir = () => mkdtempSync(join(tmpdir(), 'sync-chaos-merge-'));
/** everything.yaml (every fault kind, swarm) cut to five simulated minutes, so four seeds take seconds. */
const EVERYTHING = (() => {
  const file = join(outDir(), 'everything.yaml');
  writeFileSync(file, readFileSync(join(REPO_ROOT, 'scenarios/everything.yaml'), 'utf8').replace('duration: 30m', 'duration: 5m'));
  return file;
})();
const SWEEP = ['run', EVERYTHING, '--seeds', '4', '--reporter', 'json', '--reporter', 'junit', '--reporter', 'markdown'];

/** The one run folder `run` or `report merge` wrote under `out`. */
function runFolderOf(out: string): string {
  const [runId] = readdirSync(out).filter((name) => name !== 'latest');
  return join(out, runId!);
}

/** A merged folder's files with what names the run rather than its results masked: the run id, start time, wall times, output folder. */
function results(folder: string): { report: unknown; junit: string; summary: string } {
  const { runId: _runId, startedAt: _startedAt, command, ...report } = JSON.parse(readFileSync(join(folder, 'report.json'), 'utf8'));
  for (const each of report.cases) delete each.wallMs;
  const junit = readFileSync(join(folder, 'junit.xml'), 'utf8').replace(/sync-chaos [^"]*"/, 'sync-chaos X"').replace(/ (time|timestamp)="[^"]*"/g, '');
  const summary = readFileSync(join(folder, 'summary.md'), 'utf8').replace(/Run `[^`]*`/, 'Run `X`');
  return { report: { ...report, files: command.files }, junit, summary };
}

describe('sync-chaos report merge', () => {
  it('merges two --shard halves of an everything.yaml sweep into the report a --workers 2 run of every seed gives', async () => {
    const [whole, first, second] = [outDir(), outDir(), outDir()];
    const runs = await Promise.all([
      runCli([...SWEEP, '--workers', '2', '--out', whole]),
      runCli([...SWEEP, '--workers', '1', '--shard', '1/2', '--out', first]),
      runCli([...SWEEP, '--workers', '1', '--shard', '2/2', '--out', second]),
    ]);
    expect(runs.map(({ code }) => code)).toEqual([runs[0]!.code, runs[0]!.code, runs[0]!.code]);

    const [fromWhole, fromShards] = [outDir(), outDir()];
    const mergedWhole = await runCli(['report', 'merge', runFolderOf(whole), '--out', fromWhole]);
    const mergedShards = await runCli(['report', 'merge', join(second, 'latest'), join(first, 'latest'), '--out', fromShards]);
    expect(mergedShards.code).toBe(runs[0]!.code);
    expect(mergedShards.stderr).toContain('merged 2 reports, 4 cases');
    expect(readdirSync(join(fromShards, 'latest')).sort()).toEqual(expect.arrayContaining(['junit.xml', 'report.json', 'summary.md']));

    const merged = JSON.parse(readFileSync(join(fromShards, 'latest', 'report.json'), 'utf8'));
    expect(reportSchemaProblems(merged)).toEqual([]);
    expect(merged.cases.map((each: { seed: number }) => each.seed)).toEqual([1, 2, 3, 4]);
    expect(merged.command.flags.shard).toBeUndefined();
    expect(results(join(fromShards, 'latest'))).toEqual(results(join(fromWhole, 'latest')));
    expect(mergedShards.stdout.replace(/\d+\.\d+s wall/g, '')).toBe(mergedWhole.stdout.replace(/\d+\.\d+s wall/g, ''));
  });

  it('keeps a case two reports hold alike once, and refuses (exit 2) one they disagree on', async () => {
    const shard = outDir();
    expect((await runCli(['run', 'scenarios/baseline.yaml', '--seeds', '2', '--workers', '1', '--reporter', 'json', '--out', shard])).code).toBe(0);
    const again = await runCli(['report', 'merge', runFolderOf(shard), runFolderOf(shard), '--out', outDir(), '--reporter', 'json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).totals.cases).toBe(2);

    const tampered = join(outDir(), 'tampered');
    cpSync(runFolderOf(shard), tampered, { recursive: true });
    const document = JSON.parse(readFileSync(join(tampered, 'report.json'), 'utf8'));
    document.cases[1].eventLogHash = '0000000000000000';
    writeFileSync(join(tampered, 'report.json'), JSON.stringify(document));
    const clash = await runCli(['report', 'merge', runFolderOf(shard), tampered, '--out', outDir()]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain('scenarios/baseline.yaml seed 43');
    expect(clash.stderr).toContain('disagree');
  });

  it('says which folder holds no report (exit 2)', async () => {
    const empty = outDir();
    const outcome = await runCli(['report', 'merge', empty, '--out', outDir()]);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(join(empty, 'report.json'));
  });
});
