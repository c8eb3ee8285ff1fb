// What users expect of any CLI, and what a CI run must survive: --version, colours that follow
// NO_COLOR, counts in the right number, --seed with a --seeds range refused, and a case whose
// server cannot be reached reported as that case's error while every other case and report follow.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './cli-helpers.ts';
import { sh } from './package-helpers.ts';

const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-cli-small-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const TINY = join(folder, 'tiny.yaml');
writeFileSync(TINY, 'name: tiny\nseed: 1\ndevices: 1\nduration: 20s\nresume: 0ms\n');
const cli = (args: string, env: NodeJS.ProcessEnv = {}) => sh(`node ${join(REPO_ROOT, 'bin/sync-chaos')} ${args}`, folder, env);

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the command line', () => {
  it('prints its version', async () => {
    const outcome = await cli('--version');
    expect(outcome.stdout.trim()).toBe(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version);
    expect(outcome.code).toBe(0);
  });

  it('colours when told to, not under NO_COLOR, and counts one case as one', async () => {
    const coloured = await cli(`run ${TINY} --out out`, { FORCE_COLOR: '1' });
    expect(coloured.stdout).toMatch(/\u001b\[/);
    const plain = await cli(`run ${TINY} --out out`, { FORCE_COLOR: '1', NO_COLOR: '1' });
    expect(plain.stdout).not.toMatch(/\u001b\[/);
    expect(plain.stdout).toMatch(/ PASS {2}tiny seed 1 {2}1 device · /);
    expect(plain.stdout).toMatch(/1 passed, 0 failed \(1 case\)/);
  });

  it('refuses --seed with a --seeds range (exit 2)', async () => {
    const outcome = await cli(`run ${TINY} --seed 3 --seeds 1..5`);
    expect(outcome.stderr).toMatch(/--seed 3 with the range --seeds 1\.\.5/);
    expect(outcome.code).toBe(2);
  });

  it('reports a case whose server cannot be reached as its error, runs the others and writes every report (exit 3)', async () => {
    const http = readFileSync(join(REPO_ROOT, 'scenarios/http/baseline.yaml'), 'utf8').replace('http://127.0.0.1:8080', `http://127.0.0.1:${await closedPort()}`);
    writeFileSync(join(folder, 'unreachable.yaml'), http);
    const outcome = await cli('run unreachable.yaml tiny.yaml --workers 1 --out reports --reporter console --reporter junit --reporter markdown --reporter html --reporter json');
    expect(outcome.stdout).toMatch(/ ERROR {2}http-baseline seed 42 /);
    expect(outcome.stdout).toMatch(/cannot reach the server at http:\/\/127\.0\.0\.1:\d+/);
    expect(outcome.stdout).toMatch(/ PASS {2}tiny seed 1 /);
    expect(outcome.code).toBe(3);
    const report = JSON.parse(readFileSync(join(folder, 'reports/latest/report.json'), 'utf8')) as { cases: { verdict: string }[] };
    expect(report.cases.map((entry) => entry.verdict)).toEqual(['error', 'pass']);
    expect(readFileSync(join(folder, 'reports/latest/junit.xml'), 'utf8')).toMatch(/<error /);
    expect(readFileSync(join(folder, 'reports/latest/summary.md'), 'utf8')).toMatch(/1 crashed, 1 passed \(2 cases\)/);
    expect(readFileSync(join(folder, 'reports/latest/report.html'), 'utf8')).toContain('http-baseline');
  });
});
