// The faults a swarm seed drew, as the console prints them for a failing seed: scenario syntax that,
// pasted under `faults:` of a scenario file, loads and schedules exactly the faults the seed drew.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScheduledFault } from '../src/scenario/fault-specs.ts';
import { REPO_ROOT, runCli } from './cli-helpers.ts';
import { scenarioFrom } from './scenario-helpers.ts';

const SCENARIO = 'name: swarm paste\ndevices: 2\nduration: 4m\nresume: 0ms\nworkload: { rate: 12/min, mix: { create: 0.4, update: 0.3, delete: 0.3 } }\n';
const NEMESIS = 'nemesis: { kinds: [partition, kill, clock, batch_failure, suspend, latency, loss, reorder, server_restart], rate: 120/h, for: { min: 30s, max: 3m } }\n';

describe('swarm faults on the console', () => {
  it('are printed for a failing seed in scenario syntax that loads back into the same faults', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-swarm-'));
    const file = join(folder, 'swarm.yaml');
    writeFileSync(file, SCENARIO + NEMESIS);
    const out = join(folder, 'out');
    const client = join(REPO_ROOT, 'fixtures/clients/never-pushes-deletes.ts');
    const { code, stdout } = await runCli(['run', file, '--swarm', '--client', client, '--workers', '1', '--out', out, '--reporter', 'console', '--reporter', 'json']);
    expect(code).toBe(1);
    const printed = stdout.split('faults drawn (paste under faults:):\n')[1]!.split('\n').filter((line) => line.startsWith('         - ')).map((line) => line.trim());
    const runId = readdirSync(out).find((name) => name !== 'latest')!;
    const drawn: ScheduledFault[] = JSON.parse(readFileSync(join(out, runId, 'report.json'), 'utf8')).cases[0].drawnFaults;
    expect(drawn.length).toBeGreaterThan(2);
    expect(printed).toHaveLength(drawn.length);
    expect(printed.join('\n')).not.toMatch(/Ms=|PerHour/);

    const pasted = scenarioFrom(`${SCENARIO}faults:\n${printed.map((line) => `  ${line}`).join('\n')}\n`);
    // a drawn fault that outlasts the chaos phase heals with it, which is what leaving out `for` says
    const chaosMs = 240_000;
    const healing = drawn.map(({ forMs, ...fault }) => (forMs !== undefined && fault.atMs + forMs <= chaosMs ? { ...fault, forMs } : fault));
    expect(pasted.faults).toEqual(healing);
  });

  it('are left out for a passing seed unless --verbose asks for every seed', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-swarm-'));
    const file = join(folder, 'calm.yaml');
    writeFileSync(file, SCENARIO.replace('duration: 4m', 'duration: 1m') + 'nemesis: { kinds: [latency], rate: 120/h }\n');
    const quiet = await runCli(['run', file, '--swarm', '--workers', '1']);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).not.toContain('faults drawn');
    const verbose = await runCli(['run', file, '--swarm', '--workers', '1', '--verbose']);
    expect(verbose.stdout).toContain('faults drawn');
  });
});
