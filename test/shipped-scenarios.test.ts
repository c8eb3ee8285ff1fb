import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startHttpServer } from '../src/serve/http-server.ts';
import { loadClient } from '../src/run/client-loader.ts';
import { runScenario } from '../src/run/run.ts';
import type { RunResult } from '../src/check/verdict.ts';
import { CONFLICT_POLICIES } from '../src/protocol/v1.ts';
import { FAULT_KINDS } from '../src/scenario/fault-specs.ts';
import { loadScenarioFile, type Scenario } from '../src/scenario/index.ts';
import { CATALOG } from '../fixtures/clients/catalog.ts';
import { REPO_ROOT } from './cli-helpers.ts';

/** Seeds per scenario here (npm test stays within minutes); the false-positive sweep over many seeds is `npm run sweep`. */
const SEEDS_PER_SCENARIO = 1;
/**
 * The seeds a scenario's reference run is checked on: its first ones, and each seed on which it catches a
 * catalog client (bug-catalog.test.ts runs the broken client there), so that catch is the bug's, not the scenario's.
 */
function seedsOf(name: string, scenario: Scenario): number[] {
  const first = Array.from({ length: SEEDS_PER_SCENARIO }, (_, index) => scenario.seed + index);
  const caught = CATALOG.filter((entry) => entry.scenario === name).map((entry) => entry.firstSeed);
  return [...new Set([...first, ...caught])].sort((a, b) => a - b);
}
const SCENARIOS = join(REPO_ROOT, 'scenarios');
const yamlIn = (folder: string) => readdirSync(join(SCENARIOS, folder)).filter((name) => name.endsWith('.yaml'));
/** The simulated ones a glob of scenarios/*.yaml finds, then the ones over real HTTP in scenarios/http/. */
const files = [...yamlIn('.'), ...yamlIn('http').map((name) => `http/${name}`)];

function shipped(name: string): Scenario {
  const loaded = loadScenarioFile(join(SCENARIOS, name));
  if (!loaded.ok) throw new Error(`${name} must load`);
  return loaded.scenario;
}

describe('every shipped scenario', () => {
  it('is run below: scenarios/ holds nothing but .yaml scenario files, and http/ for those over real HTTP', () => {
    expect(readdirSync(SCENARIOS).filter((name) => name !== 'http' && !files.includes(name))).toEqual([]);
    expect(readdirSync(join(SCENARIOS, 'http')).filter((name) => !files.includes(`http/${name}`))).toEqual([]);
  });

  it('uses, between them, every conflict policy and every fault kind, and one swarm draws every kind', () => {
    const scenarios = files.map(shipped);
    expect(CONFLICT_POLICIES.filter((policy) => !scenarios.some((scenario) => scenario.system.conflict === policy))).toEqual([]);
    const used = new Set(scenarios.flatMap((scenario) => [...scenario.faults.map((fault) => fault.spec.kind), ...(scenario.nemesis?.kinds ?? [])]));
    expect(FAULT_KINDS.filter((kind) => !used.has(kind))).toEqual([]);
    // as --swarm's own nemesis, every kind but a server restore, which scenarios/server-restore.yaml runs alone
    const drawable = FAULT_KINDS.filter((kind) => kind !== 'server_restore');
    const swarms = scenarios.filter((scenario) => scenario.nemesis?.swarm && drawable.every((kind) => scenario.nemesis!.kinds.includes(kind)));
    expect(swarms.map((scenario) => scenario.name)).not.toEqual([]);
  });

  it('keeps every scenario that needs a server in scenarios/http/, so a glob of scenarios/*.yaml never does', () => {
    const needingServers = yamlIn('.').filter((name) => shipped(name).system.transport !== 'simulated' || shipped(name).system.server !== 'reference');
    expect(needingServers).toEqual([]);
    expect(yamlIn('http').length).toBeGreaterThan(0);
  });

  it.each(files)('%s passes with the reference client over its first seeds and the seeds it catches a catalog client on', async (name) => {
    for (const seed of seedsOf(name, shipped(name))) {
      const result = await referenceRun(name, seed);
      expect(result.error, `${name} seed ${seed}`).toBeUndefined();
      expect(result.violations.map((violation) => violation.summary), `${name} seed ${seed}`).toEqual([]);
      expect(result.quiesced).toBe(true);
    }
  });
});

describe('stale-backup-pending', () => {
  it('restores both devices from backups taken while they were offline, so each boots with changes still queued', async () => {
    const result = await referenceRun('stale-backup-pending.yaml', shipped('stale-backup-pending.yaml').seed);
    const events = [...result.history.events];
    const restoredBoots = events.flatMap((event, index) => {
      if (event.type !== 'restore') return [];
      const boot = events.slice(index).find((later) => later.type === 'read' && later.at === 'boot' && later.process === event.process);
      const queued = boot?.type === 'read' ? boot.records.filter((record) => record.status === 'local' || record.status === 'pending').length : 0;
      return [{ device: event.process, queued }];
    });
    expect(restoredBoots.map(({ device }) => device)).toEqual(['d1', 'd2']);
    for (const { device, queued } of restoredBoots) expect(queued, `${device}'s records still queued at its restored boot`).toBeGreaterThan(0);
  });
});

/** The reference client's run of a shipped scenario at a seed, run once however many tests ask. */
const referenceRuns = new Map<string, Promise<RunResult>>();
function referenceRun(name: string, seed: number): Promise<RunResult> {
  const key = `${name}#${seed}`;
  let run = referenceRuns.get(key);
  if (!run) {
    const scenario = shipped(name);
    run = loadClient(scenario.system, SCENARIOS).then((client) => withServer(scenario, (served) => runScenario(served, { seed, client })));
    referenceRuns.set(key, run);
  }
  return run;
}

/**
 * Runs `body` on the scenario as is or, when it names an external server (as http-baseline does,
 * for `npx sync-chaos server --port 8080 &`), against a fresh reference server on a free port.
 */
async function withServer<T>(scenario: Scenario, body: (scenario: Scenario) => Promise<T>): Promise<T> {
  if (scenario.system.server === 'reference') return body(scenario);
  const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-shipped-'));
  const server = await startHttpServer({ port: 0, dbPath: join(folder, 'server.sqlite'), policy: scenario.system.conflict });
  try {
    return await body({ ...scenario, system: { ...scenario.system, server: { url: server.url } } });
  } finally {
    await server.close();
    rmSync(folder, { recursive: true, force: true });
  }
}
