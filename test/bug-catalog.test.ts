// The bug catalog must be caught: each deliberately broken client in fixtures/clients/ (the reference
// client with one classic mistake) fails a shipped scenario at the seed its entry records, within a fixed
// seed budget, by the checker its header names; the reference client passes that scenario and seed
// (shipped-scenarios.test.ts runs it there, with the scenario's own first seed). Every client in that
// folder has an entry, so a new broken client cannot go unproven. And every checker is proven on a real
// run: at least one catalog client is caught by it (the coverage matrix). That the recorded seed is the
// first that catches is `npm run coverage-matrix`'s to check: it searches from the scenario's seed on.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKERS } from '../src/check/index.ts';
import { runScenario } from '../src/run/run.ts';
import { CATALOG, catalogClient, runEntry, SEED_BUDGET, shippedScenario, type Catch, type CatalogEntry } from '../fixtures/clients/catalog.ts';
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
 * Simulated runs take CPU, not waiting: an entry runs its client once, and the coverage matrix, run alone,
 * every entry's run. On a machine shared with other work that takes minutes.
 */
const ENTRY_TIMEOUT_MS = 300_000;
const MATRIX_TIMEOUT_MS = 900_000;

/** Each entry's run at its recorded seed, run once however many tests ask. */
const runs = new Map<CatalogEntry, Promise<Catch>>();
function ranAtItsSeed(entry: CatalogEntry): Promise<Catch> {
  let run = runs.get(entry);
  if (!run) runs.set(entry, (run = runEntry(entry, entry.firstSeed)));
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

  it.each(CATALOG)('$bug: $client is caught by $checker in $scenario at seed $firstSeed', async (entry) => {
    const { seed } = shippedScenario(entry.scenario);
    const withinBudget = `${entry.client}: its seed, one of the ${SEED_BUDGET} from ${entry.scenario}'s own (${seed})`;
    expect(entry.firstSeed, withinBudget).toBeGreaterThanOrEqual(seed);
    expect(entry.firstSeed, withinBudget).toBeLessThan(seed + SEED_BUDGET);
    const { run, checkers } = await ranAtItsSeed(entry);
    expect(run.error, `${entry.client}: the run must go to the end`).toBeUndefined();
    expect(run.verdict, `${entry.client} on ${entry.scenario} seed ${entry.firstSeed}`).toBe('fail');
    expect(checkers).toContain(entry.checker);
  }, ENTRY_TIMEOUT_MS);
});

describe('the coverage matrix', () => {
  it('has, for every checker, a catalog client it catches in a real simulated run of a shipped scenario', async () => {
    const caughtBy = new Map<string, string[]>(Object.keys(CHECKERS).map((checker) => [checker, []]));
    for (const entry of CATALOG) {
      const { run, checkers } = await ranAtItsSeed(entry);
      if (run.verdict !== 'fail') continue;
      for (const checker of checkers) caughtBy.get(checker)?.push(`${entry.client}@${run.seed}`);
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
