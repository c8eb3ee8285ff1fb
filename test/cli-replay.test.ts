import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rootCause } from '../src/check/causes.ts';
import type { Violation } from '../src/check/types.ts';
import { runCli } from './cli-helpers.ts';

const CLIENT = 'fixtures/clients/never-pushes-deletes.ts';

/** A failing run's report.json (baseline, which fails, then resume-after-partition, one seed each, under the catalog's delete-dropping client), run once for the file. */
let failing: ReturnType<typeof runFailing> | undefined;
const failingReport = () => (failing ??= runFailing());

async function runFailing(): Promise<{ path: string; report: { cases: { verdict: string; eventLogHash: string; violations: Violation[] }[] } }> {
  const out = mkdtempSync(join(tmpdir(), 'sync-chaos-replay-'));
  const { code } = await runCli(['run', 'scenarios/baseline.yaml', 'scenarios/resume-after-partition.yaml', '--workers', '1', '--client', CLIENT, '--reporter', 'json', '--out', out]);
  expect(code).toBe(1);
  const path = join(out, 'latest', 'report.json');
  return { path, report: JSON.parse(readFileSync(path, 'utf8')) };
}

describe('sync-chaos replay', () => {
  it('reruns a failing case of a catalog client and reproduces its violations with the same event-log hash', async () => {
    const { path, report } = await failingReport();
    const recorded = report.cases[0]!;
    expect(recorded.verdict).toBe('fail');

    const { code, stdout } = await runCli(['replay', path]);
    expect(code).toBe(1);
    expect(stdout).toContain(`replaying case 1 of 2 in ${path}`);
    expect(stdout).toContain(`--client ${CLIENT}`);
    const root = rootCause(recorded.violations)!;
    expect(stdout).toContain(`[${root.checker}] ${root.record!.entity} ${root.record!.id.slice(0, 8)}:`);
    expect(stdout).toContain(`event-log hash ${recorded.eventLogHash}: matches the report`);
    expect(stdout).toContain('verdict fail: matches the report');
    expect(stdout).toContain(`${recorded.violations.length} violations: the same as the report's`);

    const second = await runCli(['replay', path, '--case', '2']);
    expect(second.stdout).toContain(`replaying case 2 of 2`);
    expect(second.stdout).toContain(`event-log hash ${report.cases[1]!.eventLogHash}: matches the report`);
  });

  it('says so when the replay does not reproduce the report', async () => {
    const { report } = await failingReport();
    const path = join(mkdtempSync(join(tmpdir(), 'sync-chaos-replay-')), 'report.json');
    writeFileSync(path, JSON.stringify({ ...report, cases: [{ ...report.cases[0]!, eventLogHash: '0000000000000000', violations: [] }] }));
    const { code, stdout } = await runCli(['replay', path]);
    expect(code).toBe(4);
    expect(stdout).toContain(`DIFFERS from the report's 0000000000000000`);
    expect(stdout).toContain(`violations: DIFFER from the report's 0`);
  });

  it('exits 4 when the scenario file was edited since the report, though the case still passes', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-replay-'));
    const scenario = join(folder, 'edited.yaml');
    writeFileSync(scenario, 'name: edited\nduration: 1m\nresume: 0ms\nallow: [overwritten]\nworkload: { rate: 6/min }\n');
    const { code: ran } = await runCli(['run', scenario, '--reporter', 'json', '--out', folder]);
    expect(ran).toBe(0);
    writeFileSync(scenario, 'name: edited\nduration: 1m\nresume: 0ms\nallow: [overwritten]\nworkload: { rate: 7/min }\n');
    const { code, stdout } = await runCli(['replay', join(folder, 'latest', 'report.json')]);
    expect(code).toBe(4);
    expect(stdout).toMatch(/event-log hash [0-9a-f]{16}: DIFFERS from the report's [0-9a-f]{16}/);
    expect(stdout).toContain('verdict pass: matches the report');
  });

  it('turns away a missing report, a file that is not one, and a case number out of range with exit 2', async () => {
    const { report } = await failingReport();
    const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-replay-'));
    const notReport = join(folder, 'other.json');
    writeFileSync(notReport, '{"hello": 1}');
    const missing = await runCli(['replay', join(folder, 'missing.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('not a readable JSON report');
    const other = await runCli(['replay', notReport]);
    expect(other).toMatchObject({ code: 2 });
    expect(other.stderr).toContain(`${notReport}: not a sync-chaos report.json as schema/report.schema.json describes it: $: must have required property 'version' (and 7 more problems)`);
    const single = join(folder, 'single.json');
    writeFileSync(single, JSON.stringify({ ...report, cases: [report.cases[0]] }));
    const outOfRange = await runCli(['replay', single, '--case', '3']);
    expect(outOfRange).toMatchObject({ code: 2 });
    expect(outOfRange.stderr).toContain('--case expects a number from 1 to 1, found "3"');
    const moved = join(folder, 'moved.json');
    writeFileSync(moved, JSON.stringify({ ...report, cases: [{ ...report.cases[0], file: 'scenarios/gone.yaml' }] }));
    const gone = await runCli(['replay', moved]);
    expect(gone).toMatchObject({ code: 2 });
    expect(gone.stderr).toContain('scenarios/gone.yaml, as the report names it, is not found from');
  });
});
