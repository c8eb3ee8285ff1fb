import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClient } from '../src/run/client-loader.ts';
import { runScenario } from '../src/run/run.ts';
import { REPO_ROOT, runCli } from './cli-helpers.ts';
import { scenarioFrom } from './scenario-helpers.ts';

/** Two simulated minutes over http against a server module, restarted at 20s for 10s: writes after it reach only a server that came back. */
function restarting(module: string): string {
  return `name: server adapter restart
devices: 2
duration: 2m
quiesce_timeout: 5m
system: { server: { adapter: ${join(REPO_ROOT, 'test/fixtures', module)} }, time_scale: 60, sync_interval: 20s }
workload: { rate: 12/min, mix: { create: 0.5, update: 0.5 } }
checks: [divergence, duplicate, lost-write]
faults:
  - { at: 20s, server_restart: { down: 10s } }
`;
}

describe('server_restart on a server adapter', () => {
  it('closes a server module that declares restart() and brings it back over its data: the devices converge on the new process', async () => {
    const scenario = scenarioFrom(restarting('restartable-server.ts'));
    const client = await loadClient(scenario.system, REPO_ROOT);
    const result = await runScenario(scenario, { seed: 1, client });
    expect(result.error).toBeUndefined();
    expect(result.violations.map((violation) => violation.summary)).toEqual([]);
    expect(result.quiesced).toBe(true);
    const events = [...result.history.events];
    const restart = events.flatMap((event) => (event.type === 'fault' && event.spec.kind === 'server_restart' ? [[event.phase, event.t]] : []));
    // over http the fault starts when the paced clock reaches it (real time, so a little later under load)
    expect(restart.map(([phase]) => phase)).toEqual(['start', 'stop']);
    expect(restart[0]![1]).toBeGreaterThanOrEqual(20_000);
    // writes made after the restart are on the server: only the new process could have taken them
    expect(result.finalStates?.server.length).toBeGreaterThan(0);
    expect(events.some((event) => event.type === 'ok' && event.t > 40_000)).toBe(true);
  });

  it('refuses server_restart at load for a server module that declares no restart, at the fault', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-server-restart-'));
    const file = join(folder, 'restart.yaml');
    writeFileSync(file, restarting('unrestartable-server.ts'));
    const { code, stderr } = await runCli(['run', file, '--workers', '1']);
    expect(code).toBe(2);
    expect(stderr).toMatch(new RegExp(`${file}:9:\\d+ faults\\[0\\]\\.server_restart: server_restart restarts the server process, and this server module declares no \`restart\``));
  });
});
