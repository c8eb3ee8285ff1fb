import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportSchemaProblems } from '../src/report/report-schema.ts';
import { REPO_ROOT } from './cli-helpers.ts';

const SEEDS = 40;

/** Starts a long sweep, sends SIGINT once the first case's line is printed, and waits for the exit. */
function interruptedRun(out: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const args = ['bin/sync-chaos', 'run', 'scenarios/baseline.yaml', '--seeds', String(SEEDS), '--workers', '2', '--reporter', 'console', '--reporter', 'json', '--reporter', 'junit', '--reporter', 'markdown', '--reporter', 'html', '--out', out];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, FORCE_COLOR: '0' } });
  let stdout = '';
  let stderr = '';
  let signalled = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
    if (!signalled && /^ PASS /m.test(stdout)) {
      signalled = true;
      child.kill('SIGINT');
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('SIGINT during a run', () => {
  it('finishes the running cases, writes complete reports of the finished ones, and exits 130', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sync-chaos-interrupt-'));
    const { code, stdout, stderr } = await interruptedRun(out);
    expect(code).toBe(130);
    expect(stderr).toContain('interrupted: finishing the running cases');
    const runId = readdirSync(out).find((name) => name !== 'latest')!;
    expect(readdirSync(join(out, runId)).sort()).toEqual(['junit.xml', 'report.html', 'report.json', 'summary.md']);

    const report = JSON.parse(readFileSync(join(out, runId, 'report.json'), 'utf8'));
    expect(reportSchemaProblems(report)).toEqual([]);
    expect(report.interrupted).toEqual({ planned: SEEDS });
    expect(report.verdict).toBe('interrupted');
    const ran = report.cases.length as number;
    expect(ran).toBeGreaterThanOrEqual(1);
    expect(ran).toBeLessThan(SEEDS);
    expect(report.cases.map((each: { seed: number }) => each.seed)).toEqual(Array.from({ length: ran }, (_, index) => 42 + index));
    expect(stdout).toContain(`interrupted: ${ran} of ${SEEDS} cases ran`);

    const junit = readFileSync(join(out, runId, 'junit.xml'), 'utf8');
    expect(junit.trimEnd().endsWith('</testsuites>')).toBe(true);
    expect(junit.match(/<testcase /g)).toHaveLength(ran + 1);
    expect(junit).toMatch(new RegExp(`<testsuites [^>]*tests="${ran + 1}" failures="0" errors="1"`));
    expect(junit).toContain(`<testsuite name="sync-chaos run" tests="1" failures="0" errors="1" skipped="${SEEDS - ran}"`);
    expect(junit).toContain(`<error message="interrupted (SIGINT) after ${ran} of ${SEEDS} cases: ${SEEDS - ran} never ran, so this run proves nothing about them" type="interrupted">`);
    const html = readFileSync(join(out, runId, 'report.html'), 'utf8');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).toContain(`<title>sync-chaos ${runId}: interrupted</title>`);
    expect(html).toContain(`"interrupted":{"planned":${SEEDS}}`);
    expect(readFileSync(join(out, runId, 'summary.md'), 'utf8').split('\n')[0]).toBe(`## ⏹️ sync-chaos: interrupted (SIGINT) after ${ran} of ${SEEDS} cases: 0 failed, 0 crashed, ${ran} passed`);
  });
});
