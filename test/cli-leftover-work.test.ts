import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from './cli-helpers.ts';

/** A short scenario of `client`, in a folder of its own; d1 is killed once, so a dead process's work is left too. */
function scenarioOf(client: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-leftover-'));
  const file = join(folder, 'leftover.yaml');
  writeFileSync(
    file,
    `name: leftover work
devices: 2
duration: 1m
resume: 0ms
system: { client: ${join(REPO_ROOT, 'test/fixtures', client)} }
workload: { rate: 6/min }
faults:
  - { at: 20s, kill: { target: d1, when: any, restart_after: 5s } }
`,
  );
  return file;
}

type JsonReport = { verdict: string; cases: { seed: number; verdict: string }[] };

describe('work a client leaves behind when a case ends', () => {
  it('neither crashes the next case nor keeps the CLI from exiting: a real setInterval, pending database calls, an open socket', async () => {
    const { code, stdout, stderr } = await runCli(['run', scenarioOf('leaves-work-behind.ts'), '--seeds', '3', '--workers', '1', '--reporter', 'json']);
    expect(stderr).not.toMatch(/database connection is not open|crashed/);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as JsonReport;
    expect(report.cases.map((c) => [c.seed, c.verdict])).toEqual([[1, 'pass'], [2, 'pass'], [3, 'pass']]);
  });

  for (const workers of ['1', '2']) {
    it(`names the case a crash happened in, reports the cases before it, and exits 3 (--workers ${workers})`, async () => {
      const file = scenarioOf('crashes-second-case.ts');
      const { code, stdout, stderr } = await runCli(['run', file, '--seeds', '2', '--workers', workers, '--reporter', 'json']);
      expect(code).toBe(3);
      expect(stderr).toContain(`crashed in ${file} seed 2: a library bug in a real callback`);
      const report = JSON.parse(stdout) as JsonReport;
      expect(report.verdict).toBe('error');
      expect(report.cases.map((c) => [c.seed, c.verdict])).toEqual([[1, 'pass']]);
    });
  }
});
