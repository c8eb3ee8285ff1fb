// The bug catalog must be caught: each deliberately broken client in fixtures/clients/ (the reference
// client with one classic mistake) fails a shipped scenario within a fixed seed budget, by the checker
// its header names, while the reference client passes the same scenario over the same seeds. Every client
// in that folder has an entry, so a new broken client cannot go unproven. And every checker is proven on a
// real run: at least one catalog client is caught by it (the coverage matrix).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKERS } from '../src/check/index.ts';
import { runScenario } from '../src/run/run.ts';
import type { Scenario } from '../src/scenario/index.ts';
import { CATALOG, catalogClient, firstCatch, scenarioClient, SEED_BUDGET, shippedScenario, type Catch, type CatalogEntry } from '../fixtures/clients/catalog.ts';
import { REPO_ROOT, runCli } from './cli-helpers.ts';

const CLIENTS = join(REPO_ROOT, 'fixtures/clients');

/** The files in fixtures/clients/ that are not catalog clients, and what they are for instead. */
const NOT_IN_CATALOG: Record<string, string> = {
  'catalog.ts': 'the catalog itself, as data, with its seed search',
  'state-based.ts': 'a correct state-based client (offline edits folded into one push), which must pass',
  'throws-on-create.ts': 'an adapter that throws, for the exit-3 tests',
  'with-mistake.ts': 'what the catalog clients are built from, not a client of its own',
};

/**
 * Simulated runs take CPU, not waiting: an entry runs its client and the reference over up to 20 seeds, and
 * the coverage matrix, run alone, every entry's search. On a machine shared with other work that takes minutes.
 */
const ENTRY_TIMEOUT_MS = 300_000;
const MATRIX_TIMEOUT_MS = 900_000;

/** Each entry's seed search, run once however many tests ask: the seeds whose run crashed, and the catch. */
const searches = new Map<CatalogEntry, Promise<{ crashed: number[]; caught?: Catch }>>();
function searched(entry: CatalogEntry): Promise<{ crashed: number[]; caught?: Catch }> {
  let search = searches.get(entry);
  if (!search) {
    const crashed: number[] = [];
    search = firstCatch(entry, (run) => run.error && crashed.push(run.seed)).then((caught) => ({ crashed, ...(caught && { caught }) }));
    searches.set(entry, search);
  }
  return search;
}

/** What the reference client's run of a scenario and seed found; entries sharing a scenario share its runs. */
const referenceRuns = new Map<string, Promise<string[]>>();
function referenceViolations(name: string, scenario: Scenario, seed: number): Promise<string[]> {
  const key = `${name}#${seed}`;
  let run = referenceRuns.get(key);
  if (!run) {
    run = scenarioClient(scenario)
      .then((client) => runScenario(scenario, { seed, client }))
      .then((result) => result.violations.map((violation) => violation.summary));
    referenceRuns.set(key, run);
  }
  return run;
}

describe('the bug catalog', () => {
  it('has an entry for every client in fixtures/clients/ but the few that are not broken, and no two entries alike', () => {
    const files = readdirSync(CLIENTS).filter((name) => name.endsWith('.ts') && !(name in NOT_IN_CATALOG));
    expect([...new Set(CATALOG.map((entry) => entry.client))].sort()).toEqual(files.sort());
    const paths = CATALOG.map((entry) => `${entry.client} in ${entry.scenario}`);
    expect(paths.length, 'entries naming one client and one scenario twice').toBe(new Set(paths).size);
    expect(Object.keys(NOT_IN_CATALOG).filter((name) => !existsSync(join(CLIENTS, name)))).toEqual([]);
  });

  it.each(CATALOG)("$client's header names $checker, the checker that catches it", (entry) => {
    const header = /^(\/\/.*\n)+/.exec(readFileSync(join(CLIENTS, entry.client), 'utf8'))?.[0] ?? '';
    expect(header).toContain(`Caught by \`${entry.checker}\``);
  });

  it.each(CATALOG)('$bug: $client is caught by $checker in $scenario at seed $firstSeed, and the reference passes', async (entry) => {
    const { crashed, caught } = await searched(entry);
    expect(crashed, `${entry.client}: seeds that must run to the end`).toEqual([]);
    expect(caught, `${entry.client} is not caught within ${SEED_BUDGET} seeds of ${entry.scenario}`).toBeDefined();
    expect(caught!.run.seed, `first seed of ${entry.scenario} that catches ${entry.client}`).toBe(entry.firstSeed);
    expect(caught!.checkers).toContain(entry.checker);

    const scenario = shippedScenario(entry.scenario);
    for (let seed = scenario.seed; seed <= entry.firstSeed; seed++) {
      expect(await referenceViolations(entry.scenario, scenario, seed), `reference client, ${entry.scenario} seed ${seed}`).toEqual([]);
    }
  }, ENTRY_TIMEOUT_MS);
});

describe('the coverage matrix', () => {
  it('has, for every checker, a catalog client it catches in a real simulated run of a shipped scenario', async () => {
    const caughtBy = new Map<string, string[]>(Object.keys(CHECKERS).map((checker) => [checker, []]));
    for (const entry of CATALOG) {
      const { caught } = await searched(entry);
      for (const checker of caught?.checkers ?? []) caughtBy.get(checker)?.push(`${entry.client}@${caught!.run.seed}`);
    }
    const uncovered = [...caughtBy].filter(([, clients]) => clients.length === 0).map(([checker]) => checker);
    expect(uncovered, 'checkers no catalog client proves in a real run').toEqual([]);
    expect(caughtBy.get('retry-budget')).toContain('retry-loop-without-backoff.ts@1');
  }, MATRIX_TIMEOUT_MS);
});

describe('a correct state-based client', () => {
  it('passes conflict-both-edit seed 1, where edits it folded into one push meet concurrent ones in logged conflicts', async () => {
    const scenario = shippedScenario('conflict-both-edit.yaml');
    const run = await runScenario(scenario, { seed: 1, client: await catalogClient(scenario, 'state-based.ts') });
    expect(run.violations.map((violation) => violation.summary)).toEqual([]);
    expect(run.counts.conflicts).toBeGreaterThan(0);
  }, ENTRY_TIMEOUT_MS);
});

describe('a catalog client on the command line', () => {
  it('makes `sync-chaos run scenarios/kill-pending.yaml --client` exit 1, printing its violations root cause first with the liveness ones counted, and its replay command', async () => {
    const client = 'fixtures/clients/queue-in-memory.ts';
    const { code, stdout } = await runCli(['run', 'scenarios/kill-pending.yaml', '--client', client]);
    expect(code).toBe(1);
    expect(stdout).toContain('FAIL  kill-pending seed 1');
    // the lost queue shows as liveness (changes that never reached the server), counted in the headline;
    // the console leads with the case's root cause, in the same words
    expect(stdout).toMatch(/\n {2}\d+ violations on \d+ records: .*· \d+ liveness\n/);
    expect(stdout).toMatch(/\n {2}✗ \[[a-z-]+\] (\w+: )?(note|folder) [0-9a-f]{8}[: ].*(\(|, )saved on device, (never committed by the server|committed by the server at [\dhms.]+)\)/);
    expect(stdout).toContain(`replay: npx sync-chaos run scenarios/kill-pending.yaml --seed 1 --client ${client}`);
  });
});
