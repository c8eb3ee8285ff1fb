// The README's failing example as a new user meets it: the console output of never-pushes-deletes on
// the baseline leads with the cause (resurrection), fits one screen, and is pinned by a snapshot; and
// the same run as CI sees it through the `github` and `dot` reporters.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-helpers.ts';

/** The one figure that changes from run to run: the wall time. */
const mask = (text: string) => text.replace(/\d+\.\d\ds wall/, 'N.NNs wall');

describe('the first failure a new user reads', () => {
  it('leads with resurrection, fits in 30 lines with the headline, the grouped causes and the replay command, and reads as pinned', async () => {
    const { code, stdout } = await runCli(['run', 'scenarios/baseline.yaml', '--client', 'fixtures/clients/never-pushes-deletes.ts']);
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(30);
    expect(lines[1]).toBe('       replay: npx sync-chaos run scenarios/baseline.yaml --seed 42 --client fixtures/clients/never-pushes-deletes.ts');
    expect(lines[2]).toMatch(/^ {2}\d+ violations on \d+ records: \d+ resurrection · /);
    expect(lines.find((line) => line.includes('✗'))).toMatch(/^ {2}✗ \[resurrection\] folder [0-9a-f]{8}: delete by d2 at 15\.4s \(saved on device, never committed by the server\)/);
    expect(stdout).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(mask(stdout)).toMatchSnapshot();
  });
});

describe('the first failure in CI', () => {
  it('gives one ::error per violation on the scenario file, root cause first, a step summary appended to $GITHUB_STEP_SUMMARY, a dot row, exit 1 and no run folder', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'sync-chaos-github-'));
    const summaryFile = join(scratch, 'step-summary.md');
    writeFileSync(summaryFile, '# earlier step\n');
    const out = join(scratch, 'reports');
    process.env.GITHUB_STEP_SUMMARY = summaryFile;
    const outcome = await runCli(['run', 'scenarios/baseline.yaml', '--client', 'fixtures/clients/never-pushes-deletes.ts', '--reporter', 'github', '--reporter', 'dot', '--out', out]).finally(() => {
      delete process.env.GITHUB_STEP_SUMMARY;
    });
    expect(outcome.code).toBe(1);
    const lines = outcome.stdout.trimEnd().split('\n');
    const commands = lines.filter((line) => line.startsWith('::'));
    expect(commands).toHaveLength(95);
    expect(commands[0]).toMatch(/^::error file=scenarios\/baseline\.yaml,line=2,title=sync-chaos \[resurrection\] baseline seed 42::folder da9e79d4: delete by d2 at 15\.4s .*%0Areplay: npx sync-chaos run scenarios\/baseline\.yaml --seed 42 --client fixtures\/clients\/never-pushes-deletes\.ts$/);
    expect(commands.every((line) => /^::error file=scenarios\/baseline\.yaml,line=2,title=sync-chaos \[[a-z-]+\] baseline seed 42::[^\r\n]+$/.test(line))).toBe(true);
    const others = lines.filter((line) => !line.startsWith('::'));
    expect(others[0]).toBe(`F${' '.repeat(49)} 1`);
    expect(others[1]).toMatch(/^F baseline seed 42: 95 violations on 36 records: 36 resurrection · /);
    expect(others[2]).toMatch(/^ {4}root cause: \[resurrection\] folder da9e79d4: /);
    expect(others.at(-1)).toBe('0 passed, 1 failed (1 case)');
    const summary = readFileSync(summaryFile, 'utf8');
    expect(summary.startsWith('# earlier step\n## ❌ sync-chaos: 1 failed, 0 crashed, 0 passed (1 case)\n')).toBe(true);
    expect(summary).toContain('  - **[resurrection]** folder da9e79d4: delete by d2 at 15.4s');
    expect(() => readdirSync(out)).toThrow();
  });
});
