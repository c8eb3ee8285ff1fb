import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, runJson } from './cli-helpers.ts';

describe('sync-chaos run', () => {
  it('passes the baseline scenario with exit 0, printing counts, the event-log hash and the replay command', async () => {
    const { code, stdout } = await runCli(['run', 'scenarios/baseline.yaml']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/PASS\s+baseline seed 42 {2}3 devices · \d+ writes · \d+ conflicts · \d+ syncs/);
    expect(stdout).toMatch(/hash [0-9a-f]{16}/);
    expect(stdout).toContain('replay: npx sync-chaos run scenarios/baseline.yaml --seed 42');
  });

  /** Seeds 7 and 8 in one process, run once for the two tests that read it. */
  let consecutive: ReturnType<typeof runJson> | undefined;
  const seedsSevenAndEight = () => (consecutive ??= runJson(['run', 'scenarios/baseline.yaml', '--seed', '7', '--seeds', '2']));

  it('gives the same event-log hash for the same seed in separate processes, and another for another seed', async () => {
    const [both, alone] = await Promise.all([seedsSevenAndEight(), runJson(['run', 'scenarios/baseline.yaml', '--seed', '7'])]);
    const [seven, eight] = both.report.cases.map((each) => each.eventLogHash);
    expect(seven).toMatch(/^[0-9a-f]{16}$/);
    expect(alone.report.cases[0]?.eventLogHash).toBe(seven);
    expect(eight).toMatch(/^[0-9a-f]{16}$/);
    expect(eight).not.toBe(seven);
  });

  it('runs consecutive seeds with --seeds and reports each as its own case', async () => {
    const { code, report } = await seedsSevenAndEight();
    expect(code).toBe(0);
    expect(report.cases.map((c) => [c.seed, c.verdict])).toEqual([
      [7, 'pass'],
      [8, 'pass'],
    ]);
  });

  it('prints the faults each seed drew with --swarm --verbose in scenario syntax, and the replay command keeps the flag', async () => {
    const { code, stdout } = await runCli(['run', 'scenarios/kill-pending.yaml', '--swarm', '--seed', '4', '--verbose']);
    expect(code).toBe(0);
    expect(stdout).toContain('faults drawn (paste under faults:):');
    expect(stdout).toMatch(/- \{ at: \d+(ms|s|m|h), kill: \{ target: \[ d\d \], when: (any|during-sync|during-write|idle), restart_after: \d+(ms|s|m) \} \}/);
    expect(stdout).toContain('replay: npx sync-chaos run scenarios/kill-pending.yaml --seed 4 --swarm');
  });

  it('writes the event log with --trace into the run folder and reports/traces/, whose SHA-256 starts with the printed event-log hash', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'sync-chaos-trace-'));
    const { code, stdout, stderr } = await runCli(['run', join(REPO_ROOT, 'scenarios/baseline.yaml'), '--seed', '9', '--trace'], cwd);
    expect(code).toBe(0);
    const path = /trace: (\S+)/.exec(stdout)?.[1] ?? '';
    const runFolder = /^reports: (\S+)$/m.exec(stderr)?.[1] ?? '';
    expect(path).toBe(join(runFolder, 'baseline-seed-9.events.ndjson'));
    const hash = /hash ([0-9a-f]{16})/.exec(stdout)?.[1];
    const text = readFileSync(path, 'utf8');
    expect(readFileSync(join(cwd, 'reports/traces/baseline-seed-9.events.ndjson'), 'utf8')).toBe(text);
    expect(createHash('sha256').update(text).digest('hex').slice(0, 16)).toBe(hash);
    expect(text.split('\n')[0]).toBe('{"t":0,"type":"phase","phase":"chaos"}');
  });

  it('fails with exit 1 through the resurrection checker when the client never pushes deletes, naming the records, with the divergence that follows under it', async () => {
    const { code, stdout } = await runCli(['run', 'scenarios/baseline.yaml', '--client', 'fixtures/clients/never-pushes-deletes.ts']);
    expect(code).toBe(1);
    expect(stdout).toContain('FAIL');
    expect(stdout).toMatch(/\[resurrection\] (note|folder) [0-9a-f]{8}: delete by d\d at [\dms.]+ \(saved on device, never committed by the server\) saw every write to it/);
    expect(stdout).toMatch(/↳ with it: .*\d+ divergence \(d\d/);
    expect(stdout).toContain('--client fixtures/clients/never-pushes-deletes.ts');
  });

  it('reports a client that throws as the system under test failing, with exit 3 and its stack', async () => {
    const { code, stdout } = await runCli(['run', 'scenarios/baseline.yaml', '--client', 'fixtures/clients/throws-on-create.ts']);
    expect(code).toBe(3);
    expect(stdout).toContain('ERROR');
    expect(stdout).toContain('the system under test failed');
    expect(stdout).toContain('adapter bug: cannot serialise the new record');
    expect(stdout).toContain('throws-on-create.ts');
  });
});

describe('bad input', () => {
  const badScenario = () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sync-chaos-test-')), 'broken.yaml');
    writeFileSync(file, ['name: broken', 'devices: three', 'duration: 10 minutes', 'workload:', '  rat: 6/min', ''].join('\n'));
    return file;
  };

  it('reports a misspelt key, a wrong type and a bad duration together, each with line:col, and exits 2', async () => {
    const file = badScenario();
    const { code, stderr, stdout } = await runCli(['run', file]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${file}:2:10 devices: expected an integer, found "three"`);
    expect(stderr).toContain(`${file}:3:11 duration: expected a positive duration like "90s"`);
    expect(stderr).toContain(`${file}:5:3 workload.rat: unknown key; did you mean 'rate'?`);
    expect(stderr).toContain('3 problems in scenario files; nothing was run.');
  });

  it('validates files without running them', async () => {
    expect(await runCli(['validate', 'scenarios/baseline.yaml'])).toMatchObject({ code: 0, stdout: 'ok  scenarios/baseline.yaml  (baseline)\n' });
    expect((await runCli(['validate', badScenario()])).code).toBe(2);
  });

  it.each([
    [['run', 'scenarios/baseline.yaml', '--reporter', 'xml'], /argument 'xml' is invalid/],
    [['run', 'scenarios/baseline.yaml', '--seeds', 'many'], /--seeds expects a whole number, found "many"/],
    [['run', 'scenarios/baseline.yaml', '--client', 'fixtures/clients/missing.ts'], /client module not found/],
    [['run', 'scenarios/missing.yaml'], /scenarios\/missing\.yaml:1:1/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const { code, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});
