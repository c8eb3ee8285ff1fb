// Budgets and the baseline of known violations through the real CLI: a metric over its `thresholds:`
// limit fails the case with a `budget` violation in every reporter; `--update-baseline` writes the
// known violations, which then pass, while one beyond the baseline fails and one no longer found is reported fixed.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportSchemaProblems } from '../src/report/report-schema.ts';
import { REPO_ROOT, runCli } from './cli-helpers.ts';

const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-gates-'));
const NEVER_PUSHES_DELETES = join(REPO_ROOT, 'fixtures/clients/never-pushes-deletes.ts');
const SHORT = 'devices: 2\nduration: 2m\nresume: 0ms\nworkload: { rate: 12/min, mix: { create: 0.4, update: 0.3, delete: 0.3 } }\n';

function scenario(name: string, text: string): string {
  const path = join(folder, `${name}.yaml`);
  writeFileSync(path, text);
  return path;
}

function reportIn(out: string): Record<string, any> {
  const runId = readdirSync(out).find((name) => name !== 'latest')!;
  return JSON.parse(readFileSync(join(out, runId, 'report.json'), 'utf8'));
}

describe('budgets (thresholds:)', () => {
  it('fail a correct client over a limit with a budget violation naming the value and the limit, in every reporter', async () => {
    const file = scenario('budget', `name: budget\n${SHORT}thresholds: { sync_requests: 5, save_to_commit_p95: 1h }\n`);
    const out = mkdtempSync(join(tmpdir(), 'sync-chaos-gates-out-'));
    const { code, stdout } = await runCli(['run', file, '--workers', '1', '--out', out, '--reporter', 'console', '--reporter', 'json', '--reporter', 'junit', '--reporter', 'markdown']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/✗ \[budget\] sync_requests was \d+, over its budget of 5/);
    expect(stdout).not.toContain('save_to_commit_p95');
    const report = reportIn(out);
    expect(reportSchemaProblems(report)).toEqual([]);
    const [only] = report.cases;
    expect(only.verdict).toBe('fail');
    expect(only.checks.budget).toEqual({ valid: false });
    expect(only.violations.map((violation: { checker: string }) => violation.checker)).toEqual(['budget']);
    expect(only.violations[0].budget).toEqual({ metric: 'sync_requests', measured: only.counts.syncRequests, limit: 5, unit: 'count' });
    const runFolder = join(out, 'latest');
    expect(readFileSync(join(runFolder, 'junit.xml'), 'utf8')).toContain('[budget] sync_requests was');
    expect(readFileSync(join(runFolder, 'summary.md'), 'utf8')).toContain('sync\\_requests was');
  });

  it('name an unknown metric at its line and column, with the metrics there are (exit 2)', async () => {
    const file = scenario('typo', `name: typo\n${SHORT}thresholds:\n  sync_requets: 5\n`);
    const { code, stderr } = await runCli(['run', file]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${file}:7:3 thresholds.sync_requets: unknown key; did you mean 'sync_requests'? (valid keys here are 'save_to_commit_p50'`);
    expect(stderr).toContain("'peak_queue_depth'");
  });
});

describe('the baseline of known violations', () => {
  it('passes the known ones, fails on one more than it knows, and reports the ones no longer found', async () => {
    const file = scenario('deletes', `name: deletes\n${SHORT}`);
    const baseline = join(folder, 'known.json');
    const run = (...flags: string[]) => runCli(['run', file, '--client', NEVER_PUSHES_DELETES, '--workers', '1', '--baseline', baseline, ...flags]);

    const written = await run('--update-baseline');
    expect(written.code).toBe(0);
    expect(written.stdout).toMatch(/baseline .*known\.json written: \d+ known violations/);
    const file1 = JSON.parse(readFileSync(baseline, 'utf8'));
    expect(file1.version).toBe(1);
    const resurrection = file1.known.find((entry: { checker: string }) => entry.checker === 'resurrection');
    expect(resurrection).toMatchObject({ scenario: 'deletes', checker: 'resurrection' });
    // no record id, token or time in a key
    expect(JSON.stringify(file1)).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}|t:d\d|\d+\.\ds/);

    const known = await run();
    expect(known.code).toBe(0);
    expect(known.stdout).toMatch(/ PASS +deletes seed 1/);
    expect(known.stdout).toMatch(/≈ \d+ known violations \(in the baseline, not failing\)/);
    expect(known.stdout).toMatch(/baseline .*known\.json: \d+ known, 0 new, 0 fixed/);

    // one resurrection fewer known, and an entry no case finds any more
    const gone = { scenario: 'deletes', checker: 'duplicate', signature: 'duplicate · note', count: 2 };
    const edited = file1.known.map((entry: { checker: string; count: number }) => (entry === resurrection ? { ...entry, count: entry.count - 1 } : entry)).filter((entry: { count: number }) => entry.count > 0);
    writeFileSync(baseline, JSON.stringify({ version: 1, known: [...edited, gone] }));
    const out = mkdtempSync(join(tmpdir(), 'sync-chaos-gates-out-'));
    const changed = await run('--reporter', 'console', '--reporter', 'json', '--out', out);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/ FAIL +deletes seed 1/);
    expect(changed.stdout.match(/✗ \[/g)).toHaveLength(1);
    expect(changed.stdout).toContain('✗ [resurrection]');
    expect(changed.stdout).toMatch(/baseline .*known\.json: \d+ known, 1 new, 1 fixed/);
    expect(changed.stdout).toContain('✓ fixed: deletes [duplicate] duplicate · note (×2)');
    const report = reportIn(out);
    expect(reportSchemaProblems(report)).toEqual([]);
    expect(report.baseline).toMatchObject({ new: 1, fixed: [gone], updated: false });
    expect(report.cases[0].violations).toHaveLength(1);
  });

  it('named but missing is bad input', async () => {
    const { code, stderr } = await runCli(['run', scenario('missing', `name: missing\n${SHORT}`), '--baseline', join(folder, 'none.json')]);
    expect(code).toBe(2);
    expect(stderr).toContain('none.json: baseline file not found');
  });
});
