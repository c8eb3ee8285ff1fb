// `npm run sweep`: the false-positive sweep. Clients that lose nothing (the reference client, and the worked
// example templates/adapter.ts) over every shipped scenario that needs no server (scenarios/*.yaml), N seeds
// in all split evenly across them, on the CLI's own sweep (its worker pool and --time-budget), in rounds of
// two seeds so a budget cuts every scenario alike (the CLI runs a call's cases file by file). Any failure is a false positive or a real bug: it prints the
// failures per scenario and checker, each failing case's replay command, and the wall and CPU time spent.
//   npm run sweep -- [--seeds 10000] [--first-seed 1] [--workers N] [--time-budget 30m] [--client reference|template|state-based]...
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sweep } from '../src/cli/run-command.ts';
import type { CaseReport } from '../src/report/case.ts';
import { formatDuration, loadScenarioFile, parseDuration } from '../src/scenario/index.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
/**
 * The clients that lose nothing, by name: the scenario's own (the reference) or a module `--client` loads. A run
 * sweeps the first two unless `--client` names others (`state-based`: the catalog's folding client, which must pass too).
 */
const CLIENTS: Record<string, string | undefined> = { reference: undefined, template: 'templates/adapter.ts', 'state-based': 'fixtures/clients/state-based.ts' };
const SWEPT_BY_DEFAULT = ['reference', 'template'];
/**
 * Seeds of every scenario a round runs: a budget that runs out inside a round leaves the scenarios at most this
 * many seeds apart. Each round starts the pool again (about a CPU-second per worker, against a minute of cases).
 */
const ROUND_SEEDS = 2;

const { values: flags } = parseArgs({
  options: {
    seeds: { type: 'string', default: '10000' },
    'first-seed': { type: 'string', default: '1' },
    workers: { type: 'string', default: String(availableParallelism()) },
    'time-budget': { type: 'string' },
    client: { type: 'string', multiple: true },
  },
});
const totalSeeds = Number(flags.seeds);
const firstSeed = Number(flags['first-seed']);
const workers = Number(flags.workers);
const budgetMs = flags['time-budget'] === undefined ? Number.POSITIVE_INFINITY : parseDuration(flags['time-budget']);
const clients = flags.client ?? SWEPT_BY_DEFAULT;
if (![totalSeeds, firstSeed, workers].every((n) => Number.isSafeInteger(n) && n >= 1) || budgetMs === undefined || clients.some((name) => !(name in CLIENTS))) {
  throw new Error(`usage: npm run sweep -- [--seeds N] [--first-seed N] [--workers N] [--time-budget DURATION] [--client ${Object.keys(CLIENTS).join('|')}]...`);
}

const files = readdirSync(join(REPO, 'scenarios'))
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .map((name) => relative(process.cwd(), join(REPO, 'scenarios', name)));
/**
 * The scenarios each client takes: the upgrade fault needs a client that declares its builds, and a server
 * restore one that speaks the protocol's epoch (docs/protocol.md), as only the reference does.
 */
const takes = (name: string, file: string) => name === 'reference' || !referenceOnly(file);
function referenceOnly(file: string): boolean {
  const loaded = loadScenarioFile(file);
  if (!loaded.ok) throw new Error(`${file} must load`);
  return loaded.scenario.faults.some((fault) => fault.spec.kind === 'upgrade' || fault.spec.kind === 'server_restore');
}
const filesOf = new Map(clients.map((name) => [name, files.filter((file) => takes(name, file))]));
/** Seeds per scenario and client: N in all, split across every case. */
const perScenario = Math.max(1, Math.ceil(totalSeeds / [...filesOf.values()].reduce((sum, list) => sum + list.length, 0)));
const silent = { out: () => {}, err: () => {}, interactive: false };

const startedMs = performance.now();
const cpuAtStart = process.cpuUsage();
const elapsedMs = () => performance.now() - startedMs;
const reports = new Map<string, CaseReport[]>(clients.map((name) => [name, []]));
console.log(`sweep: ${clients.join(' and ')} over ${files.length} scenarios, seeds ${firstSeed}..${firstSeed + perScenario - 1} of each, ${workers} worker${workers === 1 ? '' : 's'}${flags['time-budget'] ? `, --time-budget ${flags['time-budget']}` : ''}`);
for (let done = 0; done < perScenario && elapsedMs() < budgetMs; done += ROUND_SEEDS) {
  const count = Math.min(ROUND_SEEDS, perScenario - done);
  for (const [index, name] of clients.entries()) {
    // each client gets its share of what is left of the budget
    const leftMs = (budgetMs - elapsedMs()) / (clients.length - index);
    if (leftMs <= 0) break;
    const client = CLIENTS[name];
    const runFlags = {
      seed: String(firstSeed + done),
      seeds: String(count),
      workers: String(workers),
      ...(client && { client }),
      ...(Number.isFinite(leftMs) && { timeBudget: `${Math.max(1, Math.floor(leftMs / 1000))}s` }),
    };
    const { reports: round } = await sweep(filesOf.get(name)!, runFlags, silent);
    reports.get(name)!.push(...round);
    const failed = round.filter((report) => report.verdict !== 'pass').length;
    console.log(`  ${name}, seeds ${firstSeed + done}..${firstSeed + done + count - 1}: ${round.length} cases, ${failed} failing (${formatDuration(Math.round(elapsedMs()))} wall so far)`);
    // a long sweep names its failures as each round ends, so they can be read before it finishes
    for (const report of round.filter((each) => each.verdict !== 'pass')) console.log(`    ✗ ${report.replay}`);
  }
}

const cpu = process.cpuUsage(cpuAtStart);
let failing = 0;
for (const [name, list] of reports) {
  const skipped = files.filter((file) => !takes(name, file)).map((file) => basename(file));
  console.log(`\n${name}${CLIENTS[name] ? ` (${CLIENTS[name]})` : ''}: ${list.length} cases${skipped.length > 0 ? `; not run on ${skipped.join(', ')} (an upgrade fault needs a client that declares builds; a server restore, one that speaks the epoch)` : ''}`);
  console.log('  scenario                      seeds  failing  by checker');
  for (const file of filesOf.get(name)!) {
    const cases = list.filter((report) => report.file === file);
    const failed = cases.filter((report) => report.verdict !== 'pass');
    const byChecker = new Map<string, number>();
    for (const report of failed) {
      const checkers = report.error ? ['error'] : [...new Set(report.violations.map((violation) => violation.checker))];
      for (const checker of checkers) byChecker.set(checker, (byChecker.get(checker) ?? 0) + 1);
    }
    const named = [...byChecker].map(([checker, n]) => `${checker} ${n}`).join(', ');
    console.log(`  ${basename(file).padEnd(28)}  ${String(cases.length).padStart(5)}  ${String(failed.length).padStart(7)}  ${named}`);
  }
  for (const report of list.filter((each) => each.verdict !== 'pass')) {
    failing++;
    const first = report.error?.message ?? report.violations[0]?.summary ?? report.verdict;
    console.log(`  ✗ ${report.replay}\n      ${report.violations.length} violation${report.violations.length === 1 ? '' : 's'}; first: ${first.slice(0, 300)}`);
  }
}
const cases = [...reports.values()].reduce((sum, list) => sum + list.length, 0);
console.log(`\n${cases} cases, ${failing} failing; ${(elapsedMs() / 1000).toFixed(1)}s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)}s CPU (this process and its worker threads)`);
process.exitCode = failing === 0 ? 0 : 1;
