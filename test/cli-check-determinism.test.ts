import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runJson, type CliOutcome } from './cli-helpers.ts';

const scenario = join(mkdtempSync(join(tmpdir(), 'sync-chaos-determinism-')), 'short.yaml');
writeFileSync(scenario, 'name: short\ndevices: 2\nduration: 1m\nresume: 0ms\nallow: [overwritten]\n');

/** A run of the random-ids client with the console on stdout and report.json written beside it, run once for the tests that read it. */
const reported = new Map<string, Promise<CliOutcome & { report: string }>>();
function randomIdsRun(...flags: string[]): Promise<CliOutcome & { report: string }> {
  const key = flags.join(' ');
  let run = reported.get(key);
  if (!run) {
    const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-determinism-'));
    const args = ['run', scenario, '--client', 'test/fixtures/random-ids.ts', ...flags, '--reporter', 'console', '--reporter', 'json', '--out', folder];
    run = runCli(args).then((outcome) => ({ ...outcome, report: join(folder, 'latest', 'report.json') }));
    reported.set(key, run);
  }
  return run;
}

describe('sync-chaos run --check-determinism', () => {
  it('fails a case whose client draws ids from Math.random with exit 4, naming the first differing event and the likely cause', async () => {
    const { code, stdout } = await randomIdsRun('--check-determinism');
    expect(code).toBe(4);
    expect(stdout).toMatch(
      /\[determinism\] the same seed gave another event log: event \d+ \(\w+ at \d+ ms\) differs in \S*id [0-9a-f]{8} then [0-9a-f]{8} \(first run, then second\); likely cause: real randomness \(Math\.random, crypto\.randomUUID\)/,
    );
  });

  it('writes a report.json that replay reads, and replay of that client exits 4 too', async () => {
    const { code: ran, report } = await randomIdsRun('--check-determinism');
    expect(ran).toBe(4);
    const { code, stdout } = await runCli(['replay', report]);
    expect(code).toBe(4);
    expect(stdout).toMatch(/event-log hash [0-9a-f]{16}: DIFFERS/);
  });

  it('passes the reference client, which takes every random choice from the seed', async () => {
    const { code, stdout } = await runCli(['run', scenario, '--check-determinism']);
    expect(code).toBe(0);
    expect(stdout).not.toContain('[determinism]');
  });
});

describe('traps for the real world in a simulated run', () => {
  it('warns once, with a stack excerpt, when the client calls the real Math.random, in the console and in report.json', async () => {
    const { stdout, report } = await randomIdsRun();
    expect(stdout.match(/called the real Math\.random/g)).toHaveLength(1);
    expect(stdout).toMatch(/warning: the system under test called the real Math\.random during a simulated run, so a seed may not replay:\n\s+at .*test\/fixtures\/random-ids\.ts:\d+:\d+/);
    const warnings = (JSON.parse(readFileSync(report, 'utf8')).cases[0] as { warnings?: string[] }).warnings ?? [];
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.split('\n')[1]).toMatch(/^\s+at .*test\/fixtures\/random-ids\.ts/);
  });

  it("stays silent for the reference client and sync-chaos's own code", async () => {
    const { report } = await runJson(['run', scenario]);
    expect(report.cases[0]).not.toHaveProperty('warnings');
  });
});
