// The bug catalog must be caught: each deliberately broken client in fixtures/clients/ (the reference
// client with one classic mistake) fails a shipped scenario within a fixed seed budget, by the checker
// its header names, while the reference client passes the same scenario over the same seeds. Every client
// in that folder has an entry, so a new broken client cannot go unproven.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClient } from '../src/run/client-loader.ts';
import { runScenario } from '../src/run/run.ts';
import type { RunResult } from '../src/check/verdict.ts';
import { loadScenarioFile, type Scenario } from '../src/scenario/index.ts';
import { REPO_ROOT, runCli } from './cli-helpers.ts';

/** Seeds a scenario gets to catch a bug, from its own `seed` on. */
const SEED_BUDGET = 20;

interface CatalogEntry {
  bug: string;
  client: string;
  scenario: string;
  checker: string;
  /** The first seed on which the scenario catches the bug: re-record it when the simulation's draws change. */
  firstSeed: number;
}

const CATALOG: CatalogEntry[] = [
  { bug: 'record and queue in separate transactions', client: 'two-transactions.ts', scenario: 'kill-pending.yaml', checker: 'honest-status', firstSeed: 1 },
  { bug: 'queue kept in memory', client: 'queue-in-memory.ts', scenario: 'kill-pending.yaml', checker: 'liveness', firstSeed: 1 },
  { bug: 'retry without an idempotency key', client: 'retry-without-idempotency-key.ts', scenario: 'offline-mid-sync.yaml', checker: 'lost-write', firstSeed: 1 },
  { bug: 'server-assigned ids with retries', client: 'server-assigned-ids.ts', scenario: 'offline-mid-sync.yaml', checker: 'duplicate', firstSeed: 1 },
  { bug: 'LWW by device clock', client: 'lww-by-device-clock.ts', scenario: 'clock-jump-lww.yaml', checker: 'lost-write', firstSeed: 1 },
  { bug: 'server-wins without logging the conflict', client: 'silent-server-wins.ts', scenario: 'policy-server-wins.yaml', checker: 'lost-write', firstSeed: 7 },
  { bug: 'pull cursor saved before the pulled changes', client: 'cursor-before-apply.ts', scenario: 'kill-pending.yaml', checker: 'divergence', firstSeed: 3 },
  { bug: '`synced` shown when the request is sent', client: 'synced-when-sent.ts', scenario: 'offline-edits.yaml', checker: 'honest-status', firstSeed: 1 },
  { bug: 'queue entry deleted before the acknowledgement', client: 'dequeue-before-ack.ts', scenario: 'offline-edits.yaml', checker: 'liveness', firstSeed: 1 },
  { bug: 'deletes never pushed', client: 'never-pushes-deletes.ts', scenario: 'baseline.yaml', checker: 'resurrection', firstSeed: 42 },
  { bug: 'notes pushed before their folder, rejection dropped', client: 'notes-before-folders.ts', scenario: 'offline-edits.yaml', checker: 'liveness', firstSeed: 1 },
  { bug: 'late copy of a pull page applied over newer records', client: 'late-pull-pages.ts', scenario: 'offline-edits.yaml', checker: 'monotonic-reads', firstSeed: 1 },
  { bug: 'pending edits hidden behind the last synced version', client: 'pending-behind-snapshot.ts', scenario: 'offline-edits.yaml', checker: 'read-your-writes', firstSeed: 1 },
  { bug: 'sync timers stopped after a failure until the next write', client: 'timer-stops-on-failure.ts', scenario: 'resume-after-partition.yaml', checker: 'liveness', firstSeed: 1 },
  { bug: 'failed requests retried every 2 s, under the backoff', client: 'retry-loop-without-backoff.ts', scenario: 'offline-edits.yaml', checker: 'retry-budget', firstSeed: 1 },
];

const CLIENTS = join(REPO_ROOT, 'fixtures/clients');

/** The files in fixtures/clients/ that are not catalog clients, and what they are for instead. */
const NOT_IN_CATALOG: Record<string, string> = {
  'example-adapter.ts': 'the worked example of docs/adapters.md, a correct client',
  'throws-on-create.ts': 'an adapter that throws, for the exit-3 tests',
  'with-mistake.ts': 'what the catalog clients are built from, not a client of its own',
};

function shippedScenario(name: string): Scenario {
  const loaded = loadScenarioFile(join(REPO_ROOT, 'scenarios', name));
  if (!loaded.ok) throw new Error(`scenarios/${name} must load`);
  return loaded.scenario;
}

async function clientFor(scenario: Scenario, client: string) {
  return loadClient({ ...scenario.system, client: join(CLIENTS, client) }, REPO_ROOT);
}

/** What the reference client's run of a scenario and seed found; entries sharing a scenario share its runs. */
const referenceRuns = new Map<string, Promise<string[]>>();
function referenceViolations(name: string, scenario: Scenario, seed: number): Promise<string[]> {
  const key = `${name}#${seed}`;
  let run = referenceRuns.get(key);
  if (!run) {
    run = loadClient(scenario.system, join(REPO_ROOT, 'scenarios'))
      .then((factory) => runScenario(scenario, { seed, client: factory }))
      .then((result) => result.violations.map((violation) => violation.summary));
    referenceRuns.set(key, run);
  }
  return run;
}

function checkersOf(result: RunResult): string[] {
  return [...new Set(result.violations.map((violation) => violation.checker))].sort();
}

describe('the bug catalog', () => {
  it('has an entry for every client in fixtures/clients/ but the few that are not broken, each entry on its own file', () => {
    const files = readdirSync(CLIENTS).filter((name) => name.endsWith('.ts') && !(name in NOT_IN_CATALOG));
    expect(CATALOG.map((entry) => entry.client).sort()).toEqual(files.sort());
    expect(Object.keys(NOT_IN_CATALOG).filter((name) => !existsSync(join(CLIENTS, name)))).toEqual([]);
  });

  it.each(CATALOG)("$client's header names $checker, the checker that catches it", (entry) => {
    const header = /^(\/\/.*\n)+/.exec(readFileSync(join(CLIENTS, entry.client), 'utf8'))?.[0] ?? '';
    expect(header).toContain(`Caught by \`${entry.checker}\``);
  });

  it.each(CATALOG)('$bug: $client is caught by $checker in $scenario at seed $firstSeed, and the reference passes', async (entry) => {
    const scenario = shippedScenario(entry.scenario);
    const broken = await clientFor(scenario, entry.client);
    let caught: RunResult | undefined;
    for (let seed = scenario.seed; seed < scenario.seed + SEED_BUDGET && !caught; seed++) {
      const result = await runScenario(scenario, { seed, client: broken });
      expect(result.error, `${entry.client} seed ${seed} must run to the end`).toBeUndefined();
      if (result.verdict === 'fail') caught = result;
    }
    expect(caught, `${entry.client} is not caught within ${SEED_BUDGET} seeds of ${entry.scenario}`).toBeDefined();
    expect(caught!.seed, `first seed of ${entry.scenario} that catches ${entry.client}`).toBe(entry.firstSeed);
    expect(checkersOf(caught!)).toContain(entry.checker);

    for (let seed = scenario.seed; seed <= entry.firstSeed; seed++) {
      expect(await referenceViolations(entry.scenario, scenario, seed), `reference client, ${entry.scenario} seed ${seed}`).toEqual([]);
    }
  });
});

describe('a catalog client on the command line', () => {
  it('makes `sync-chaos run scenarios/kill-pending.yaml --client` exit 1, printing the violation and its replay command', async () => {
    const client = 'fixtures/clients/queue-in-memory.ts';
    const { code, stdout } = await runCli(['run', 'scenarios/kill-pending.yaml', '--client', client]);
    expect(code).toBe(1);
    expect(stdout).toContain('FAIL  kill-pending seed 1');
    expect(stdout).toMatch(
      /\[liveness\] (note|folder) [0-9a-f-]{36}: t:d\d:w\d+ \((create|update) by d\d at [\d.]+s, acknowledged\) never reached the server, and the app neither showed it failed nor logged a conflict/,
    );
    expect(stdout).toContain(`replay: npx sync-chaos run scenarios/kill-pending.yaml --seed 1 --client ${client}`);
  });
});
