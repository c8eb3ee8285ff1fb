// One scenario file × seed, run and shaped into a CaseReport: the task module of the run pool, so
// the very same code runs a case on the CLI's own thread (`--workers 1`) and in a worker thread.
// It times the case on the wall clock, the one reading of the real world a report carries.
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ClientDefinition } from '../adapter.ts';
import { toCaseReport, type CaseReport } from '../report/case.ts';
import { TRACE_FOLDER, writeTrace } from '../report/trace.ts';
import { loadClient } from '../run/client-loader.ts';
import { BadInputError } from '../errors.ts';
import { ProcessKilledError } from '../device/fenced-db.ts';
import { EXIT_CRASH } from './exit-codes.ts';
import { clientMisfit, runScenario, serverMisfit } from '../run/run.ts';
import { loadServerAdapter } from '../run/server-adapter.ts';
import { checkBudgets } from '../check/budget.ts';
import { checkDeterminism } from '../check/determinism.ts';
import type { RunResult } from '../check/verdict.ts';
import { formatIssue, issueAt, loadScenarioFile, type Scenario } from '../scenario/index.ts';
import type { Thresholds } from '../scenario/thresholds.ts';

/** What every runner is told once: plain data, so it crosses into a worker thread. */
export interface CaseSetup {
  files: string[];
  client?: string;
  swarm: boolean;
  trace: boolean;
  /** The run's report folder: with `trace`, each case's event log is written there first, then to reports/traces/ too. */
  runFolder?: string;
  showPayloads: boolean;
  /** Carry each case's timeline back (for the HTML report). */
  timeline: boolean;
  /** Run each case twice and fail it when the two event logs differ (`--check-determinism`). */
  checkDeterminism: boolean;
  /** The project config's budgets; a scenario's own `thresholds:` win per metric. */
  thresholds?: Thresholds;
}

export interface CaseTask {
  fileIndex: number;
  seed: number;
}

let setup: CaseSetup | undefined;
const loaded = new Map<number, Promise<{ file: string; scenario: Scenario; client: ClientDefinition }>>();

export function init(data: CaseSetup): void {
  setup = data;
  loaded.clear();
  if (!strayWatched) {
    strayWatched = true;
    process.on('uncaughtException', stray);
    process.on('unhandledRejection', (reason) => running === undefined && stray(reason));
  }
}

/** The case running on this thread now, and how to fail it; the last one that ran, for an error after it. */
let running: { name: string; crash(error: unknown): void } | undefined;
let lastCase: string | undefined;
/** An error that escaped between cases, which fails the next one. */
let strayBetween: Error | undefined;
let strayWatched = false;

/**
 * Work a library left running that throws where nothing catches it. A dead app's work hitting its fenced
 * handle (ProcessKilledError) is the fence working, and is dropped; anything else crashes the case it
 * surfaces in (while the run watches unhandled rejections itself, only those between cases come here).
 */
function stray(error: unknown): void {
  if (error instanceof ProcessKilledError) return;
  if (running) return running.crash(error);
  const crash = new CaseCrash(`after ${lastCase ?? 'the first case'} finished`, error);
  // no case may follow to fail: the run ends as a crash whatever its cases found
  process.stderr.write(`${crash.stack ?? crash.message}\n`);
  process.exitCode = EXIT_CRASH;
  strayBetween ??= crash;
}

/** A crash of the tool (or of work nothing caught), naming the case it happened in. */
class CaseCrash extends Error {
  override name = 'CaseCrash';

  constructor(where: string, cause: unknown) {
    const inner = cause instanceof Error ? cause : new Error(String(cause));
    super(`crashed ${where}: ${inner.message}`, { cause });
    this.stack = `${this.name}: ${this.message}\n${(inner.stack ?? '').split('\n').slice(1).join('\n')}`;
  }
}

export async function runTask(task: CaseTask): Promise<CaseReport> {
  if (!setup) throw new Error('run-case: init was not called');
  const between = strayBetween;
  strayBetween = undefined;
  if (between) throw between;
  const file = setup.files[task.fileIndex]!;
  const name = `${file} seed ${task.seed}`;
  lastCase = name;
  try {
    return await new Promise<CaseReport>((resolve, reject) => {
      running = { name, crash: (error) => reject(new CaseCrash(`in ${name}`, error)) };
      runCase(task).then(resolve, (error: unknown) => reject(error instanceof BadInputError ? error : new CaseCrash(`in ${name}`, error)));
    });
  } finally {
    running = undefined;
  }
}

async function runCase({ fileIndex, seed }: CaseTask): Promise<CaseReport> {
  const flags = setup!;
  const { file, scenario, client } = await scenarioOf(fileIndex);
  const startedMs = performance.now();
  const run = () => runScenario(scenario, { seed, client, swarm: flags.swarm });
  const first = await run();
  const result = flags.checkDeterminism ? withDeterminism(first, await run()) : first;
  const wallMs = performance.now() - startedMs;
  const swarm = flags.swarm || scenario.nemesis?.swarm === true;
  const traceFolders = flags.runFolder ? [flags.runFolder, TRACE_FOLDER] : [TRACE_FOLDER];
  const trace = flags.trace ? traceFolders.map((folder) => writeTrace(folder, scenario.name, seed, result.history.events))[0] : undefined;
  const where = { scenario: scenario.name, file, client: flags.client, wallMs, swarm, chaosMs: scenario.durationMs, showPayloads: flags.showPayloads, timeline: flags.timeline, trace };
  const report = toCaseReport(result, { ...where, replay: replayCommand(file, seed, flags) });
  return withBudgets(report, { ...flags.thresholds, ...scenario.thresholds });
}

/** The case failed by a `budget` violation for each metric over its limit (a crashed case has no numbers to hold to them). */
function withBudgets(report: CaseReport, thresholds: Thresholds): CaseReport {
  if (Object.keys(thresholds).length === 0 || report.verdict === 'error') return report;
  const budget = checkBudgets(thresholds, report);
  return {
    ...report,
    verdict: budget.valid === true ? report.verdict : 'fail',
    checks: { ...report.checks, budget: { valid: budget.valid, ...(budget.error && { error: budget.error }) } },
    violations: [...report.violations, ...budget.violations],
  };
}

/** The first run, failed by the `determinism` check when the second run's event log differs from it. */
function withDeterminism(first: RunResult, second: RunResult): RunResult {
  const determinism = checkDeterminism(first.history.events, second.history.events);
  if (determinism.valid === true || first.verdict === 'error') return first;
  return { ...first, verdict: 'fail', checks: { ...first.checks, determinism }, violations: [...determinism.violations, ...first.violations] };
}

/** A file's scenario and client, loaded once per runner (the CLI validated the scenarios before starting any); a client or server module the scenario asks too much of is bad input at the fault's line. */
function scenarioOf(fileIndex: number) {
  let entry = loaded.get(fileIndex);
  if (!entry) {
    const file = setup!.files[fileIndex]!;
    const client = setup!.client;
    entry = (async () => {
      const result = loadScenarioFile(file);
      if (!result.ok) throw new BadInputError(`${file}: the scenario no longer loads`);
      const system = client ? { ...result.scenario.system, client } : result.scenario.system;
      const definition = await loadClient(system, client ? process.cwd() : dirname(file));
      const misfit = clientMisfit(result.scenario, definition);
      if (misfit) throw new BadInputError(formatIssue(issueAt(file, ['faults', misfit.faultIndex, 'upgrade'], misfit.message)));
      const { server } = result.scenario.system;
      const serverMisfitted = typeof server === 'object' && 'adapter' in server ? serverMisfit(result.scenario, await loadServerAdapter(server.adapter)) : undefined;
      if (serverMisfitted) throw new BadInputError(formatIssue(issueAt(file, ['faults', serverMisfitted.faultIndex, 'server_restart'], serverMisfitted.message)));
      return { file, scenario: result.scenario, client: definition };
    })();
    loaded.set(fileIndex, entry);
  }
  return entry;
}

function replayCommand(file: string, seed: number, flags: { client?: string; swarm?: boolean }): string {
  return `npx sync-chaos run ${file} --seed ${seed}${flags.client ? ` --client ${flags.client}` : ''}${flags.swarm ? ' --swarm' : ''}`;
}
