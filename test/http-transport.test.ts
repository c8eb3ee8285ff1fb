import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClient } from '../src/run/client-loader.ts';
import { runScenario } from '../src/run/run.ts';
import { REPO_ROOT, runCli } from './cli-helpers.ts';
import { scenarioFrom } from './scenario-helpers.ts';

/** Two simulated minutes of three devices, and one of acting again after the heal: three real seconds at time_scale 60. */
const SHORT_RUN = `
name: http-short
devices: 3
duration: 2m
quiesce_timeout: 5m
resume: 1m
system: { sync_interval: 20s }
workload: { rate: 12/min, mix: { create: 0.4, update: 0.3, delete: 0.3 } }
allow: [overwritten]
`;

const FAULTS = `
faults:
  - { at: 20s, for: 30s, partition: { target: d1, mode: drop } }
  - { at: 25s, for: 90s, partition: { target: d2, mode: response-lost } }
  - { at: 30s, for: 30s, partition: { target: d3, mode: hold } }
  - { at: 50s, kill: { target: d3, when: during-sync, restart_after: 10s } }
  - { at: 60s, server_restart: { down: 20s } }
  - { at: 70s, for: 20s, batch_failure: { mode: response-lost } }
  - { at: 10s, for: 60s, latency: { target: all, min: 100ms, max: 3s } }
`;

function httpScenario(extra = '') {
  return scenarioFrom(`${SHORT_RUN}${extra}`.replace('system: {', 'system: { transport: http, time_scale: 60,'));
}

describe('the http transport', () => {
  it('runs the reference stack over real sockets on loopback through partitions, held and lost responses, a kill and a server restart', async () => {
    const scenario = httpScenario(FAULTS);
    const factory = await loadClient(scenario.system, REPO_ROOT);

    const result = await runScenario(scenario, { seed: 3, client: factory });

    expect(result.error).toBeUndefined();
    expect(result.violations).toEqual([]);
    expect(result.quiesced).toBe(true);
    expect(result.counts.acknowledged).toBeGreaterThan(0);
    const labels = new Set([...result.history.events].flatMap((event) => (event.type === 'message' ? [`${event.fate} ${event.label.split(' ')[0]}`] : [])));
    expect(labels).toContain('delivered POST');
    expect(labels).toContain('dropped 200');
    expect(labels).toContain('delivered reset');
  }, 30_000);

  it('catches the catalog bug never-pushes-deletes in both modes, simulated and http', async () => {
    const factory = await loadClient({ ...scenarioFrom(SHORT_RUN).system, client: 'fixtures/clients/never-pushes-deletes.ts' }, REPO_ROOT);

    const simulated = await runScenario(scenarioFrom(SHORT_RUN), { seed: 1, client: factory });
    const overHttp = await runScenario(httpScenario(), { seed: 1, client: factory });

    for (const result of [simulated, overHttp]) {
      expect(result.verdict).toBe('fail');
      expect(result.checks['divergence']?.valid).toBe(false);
    }
  }, 30_000);

  it('turns away faults an external server cannot take, before anything runs', async () => {
    const scenario = scenarioFrom(`${SHORT_RUN.replace('system: {', 'system: { server: { url: "http://127.0.0.1:9" },')}
faults: [{ at: 10s, server_restart: { down: 5s } }]`);
    const factory = await loadClient(scenario.system, join(REPO_ROOT, 'scenarios'));

    await expect(runScenario(scenario, { seed: 1, client: factory })).rejects.toThrow(/server_restart act on the server process the run holds/);
  });

  it('says on the command line that an http run is seeded but not byte-deterministic', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-http-cli-'));
    const file = join(folder, 'http.yaml');
    writeFileSync(file, `${SHORT_RUN.replace('2m', '30s').replace('resume: 1m', 'resume: 0ms')}`.replace('system: {', 'system: { transport: http,'));

    const { code, stdout, stderr } = await runCli(['run', file, '--workers', '1']);
    rmSync(folder, { recursive: true, force: true });

    expect(code).toBe(0);
    expect(stdout).toContain('PASS');
    expect(stderr).toContain('transport http, seeded but not byte-deterministic');
  }, 30_000);
});
