// `sync-chaos run [files...]`: every scenario file × seed the run plan asks for (the files given, or
// the project config's), run on the seed pool and reported in seed order by the selected reporters
// (and the progress line, on a terminal). Exit 0 clean, 1 violations, 2 bad input, 3 crash, 130 interrupted.
import { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { BaselineMatcher, DEFAULT_BASELINE_FILE, readBaseline } from '../report/baseline.ts';
import { exitCodeOf, type CaseReport, type Reporter, type RunEndReason } from '../report/case.ts';
import { ProgressLine } from '../report/progress.ts';
import { createReporters, FILE_REPORTER_NAMES, type ReporterName } from '../report/registry.ts';
import { DEFAULT_OUT, RunFolder, runIdOf, wallClockNow } from '../report/run-folder.ts';
import type { RunInfo } from '../report/run-info.ts';
import { TRACE_FOLDER } from '../report/trace.ts';
import { inProcessRunner, runOrdered, workerRunner, type Runner, type SerializedError } from '../run/pool.ts';
import type { Scenario } from '../scenario/index.ts';
import { BadInputError, SystemUnderTestError } from '../errors.ts';
import { EXIT_BAD_INPUT, EXIT_INTERRUPTED } from './exit-codes.ts';
import { reporterOption } from './reporter-option.ts';
import { loadProjectConfig, resolveRun, type ConfigurableFlags } from './project-config.ts';
import type { CaseSetup, CaseTask } from './run-case.ts';
import { parseRunPlan, plannedTasks, type RunPlan, type RunPlanFlags } from './run-plan.ts';
import { loadScenarioFiles } from './scenario-files.ts';

export interface RunFlags extends RunPlanFlags, ConfigurableFlags {
  /** Write the baseline file anew from what this run finds (every violation found is then known). */
  updateBaseline?: boolean;
  /** Print every seed's drawn faults in swarm mode, not only the failing seeds'. */
  verbose?: boolean;
  trace?: boolean;
  showPayloads?: boolean;
  /** Every `--reporter` given, in order; none means `console`. */
  reporter?: ReporterName[];
  checkDeterminism?: boolean;
}

/** Where a run prints, and whether it owns the terminal (the progress line, Ctrl-C): the CLI does, the API's run() does not. */
export interface RunIo {
  out(text: string): void;
  err(text: string): void;
  interactive: boolean;
}

/** The cases that ran, in seed order, and why no more did. */
interface RunOutcome {
  reports: CaseReport[];
  reason: RunEndReason;
  /** What stopped the run when a case crashed (`reason: crash`). */
  crash?: unknown;
  /** The `--stop-after`-th failing case was reported (perhaps as the last case planned). */
  stoppedOnFailures: boolean;
}

const CLI_IO: RunIo = {
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
  interactive: true,
};

export function runCommand(): Command {
  return new Command('run')
    .description("run scenario files (default: the project config's); exit 0 clean, 1 violations, 2 bad input, 3 crash")
    .argument('[files...]', 'scenario YAML files or globs (quoted globs are expanded here, whatever the shell)')
    .option('--suite <name>', 'also run a suite of the scenarios shipped with sync-chaos: standard (the ones a client of its own takes; no server needed)')
    .option('--config <file>', 'the project config (default: sync-chaos.config.ts, .mts, .js, .mjs or .json in this folder)')
    .option('--seed <seed>', "first seed (default: the scenario's seed)")
    .option('--seeds <count|from..to>', 'how many seeds to run, or an inclusive range (default: 1)')
    .option('--client <path>', "a client module to test instead of the scenario's client")
    .option('--trace', `write each case's event log as NDJSON into the run's report folder and under ${TRACE_FOLDER}/`)
    .option('--show-payloads', 'let reports quote field values that are not the simulated users\' own tokens (by default they appear as sha256 hashes)')
    .option('--swarm', "swarm testing: the nemesis draws its fault parameters from each seed (and every kind, if the scenario has no nemesis); the drawn faults are printed")
    .addOption(reporterOption('console'))
    .option('--out <dir>', `folder for the file reports (json, junit, markdown, html) and traces: each run writes <dir>/<run-id>/ and points <dir>/latest at it (default: ${DEFAULT_OUT})`)
    .option('--workers <n>', 'worker threads running seeds in parallel; 1 runs them in this process (default: the number of cores)')
    .option('--shard <i/n>', 'run only the i-th of n deterministic slices of the seeds (position mod n = i-1), for spreading a sweep over machines')
    .option('--stop-after <n>', 'stop after the n-th failing case in seed order')
    .option('--check-determinism', 'run each case twice and fail it (exit 4) when the two event logs differ, naming the first event that does and the likely cause')
    .option('--time-budget <duration>', 'run seeds in order until this much wall time is spent (e.g. 90s, 10m), then report the ones that fit')
    .option('--baseline <file>', `the baseline of known violations: reported as known, they do not fail the run (default: ${DEFAULT_BASELINE_FILE}, if it exists)`)
    .option('--update-baseline', 'write the baseline file anew from the violations this run finds (commit it); the run then passes unless a case crashed')
    .option('--verbose', "with --swarm, print every seed's drawn faults, not only the failing seeds'")
    .exitOverride()
    .action(async (patterns: string[], given: RunFlags) => {
      const cwd = process.cwd();
      const { files, flags } = resolveRun(patterns, given, cwd, await loadProjectConfig(cwd, given.config));
      process.exitCode = (await sweep(files, flags, CLI_IO)).exitCode;
    });
}

/** Runs every case of `files` × seeds and hands the selected reporters their cases: the CLI's `run`, and the API's. */
export async function sweep(files: string[], given: RunFlags, io: RunIo): Promise<{ exitCode: number; reports: CaseReport[] }> {
  const { out, err } = io;
  const flags: RunFlags & { out: string } = { seeds: '1', out: DEFAULT_OUT, ...given };
  const startedMs = performance.now();
  const elapsedMs = () => performance.now() - startedMs;
  const plan = parseRunPlan(flags, availableParallelism());
  const scenarios = loadScenarioFiles(files);
  if (!scenarios) return { exitCode: EXIT_BAD_INPUT, reports: [] };
  const baseline = baselineMatcherFor(flags, plan);
  warnOfRealSockets(scenarios, err);
  const fileList = scenarios.map(({ file }) => file);
  const tasks = plannedTasks(plan, scenarios.map(({ scenario }) => scenario.seed));
  const planned = tasks.map(({ fileIndex, seed }) => ({ file: fileList[fileIndex]!, seed }));
  const selected: ReporterName[] = flags.reporter ?? ['console'];
  const startedAt = wallClockNow();
  // The run id's hash covers what decides the cases: which file × seed, which client, swarm or not.
  const runId = runIdOf(startedAt, { cases: planned.map(({ file, seed }) => [file, seed]), client: flags.client ?? null, swarm: flags.swarm === true });
  const folder = new RunFolder(flags.out, runId);
  // Created before any case runs, so an --out that cannot hold the reports is bad input now, not after the sweep.
  if (flags.trace === true || selected.some((name) => FILE_REPORTER_NAMES.includes(name))) folder.create();
  const info: RunInfo = { startedAt: startedAt.toISOString(), command: { files: fileList, flags: { ...flags, reporter: selected } }, folder, write: out };
  // On a terminal only, and never beside the JSON a script reads from stdout.
  const progress = io.interactive && process.stdout.isTTY && process.stderr.isTTY && !selected.includes('json') ? new ProgressLine(elapsedMs) : undefined;
  const reporter = createReporters(selected, info, progress);
  const setup: CaseSetup = { files: fileList, client: flags.client, swarm: flags.swarm === true, trace: flags.trace === true, runFolder: flags.trace ? folder.path : undefined, showPayloads: flags.showPayloads === true, timeline: selected.includes('html'), checkDeterminism: flags.checkDeterminism === true, ...(flags.thresholds && { thresholds: flags.thresholds }) };
  reporter.onRunStart(planned);
  const outcome = await runCases(tasks, plan, setup, reporter, elapsedMs, io, baseline).finally(() => progress?.clear());
  const baselineOutcome = baseline?.finish(outcome.reason === 'done');
  reporter.onRunEnd(outcome.reports, { reason: outcome.reason, planned: tasks.length, ...(baselineOutcome && { baseline: baselineOutcome }) });
  if (flags.updateBaseline && !baselineOutcome?.updated) err(`--update-baseline: ${baselineOutcome?.file} not written, since the run did not finish (${outcome.reason}); a partial run would drop known violations`);
  if (folder.exists) {
    folder.linkLatest();
    err(`reports: ${folder.path}`);
  }
  // the reports of the cases that finished are written; the crash itself is exit 3 (main.ts)
  if (outcome.reason === 'crash') throw outcome.crash;
  noteLimits(plan, outcome, tasks.length, elapsedMs(), err);
  return { exitCode: outcome.reason === 'interrupted' ? EXIT_INTERRUPTED : exitCodeOf(outcome.reports), reports: outcome.reports };
}

/** The baseline the run judges against: the one named (which must exist), else the default file if there is one; with --update-baseline, the one it rewrites. */
function baselineMatcherFor(flags: RunFlags, plan: RunPlan): BaselineMatcher | undefined {
  const file = flags.baseline ?? DEFAULT_BASELINE_FILE;
  if (flags.updateBaseline && plan.shard) throw new BadInputError('--update-baseline with --shard: one shard sees only some seeds, so its baseline would drop the known violations of the others');
  const known = readBaseline(file, flags.baseline === undefined || flags.updateBaseline === true);
  if (!known && !flags.updateBaseline) return undefined;
  return new BaselineMatcher(file, known, flags.updateBaseline === true);
}

function warnOfRealSockets(scenarios: readonly { file: string; scenario: Scenario }[], err: (text: string) => void): void {
  for (const { file, scenario } of scenarios.filter(({ scenario }) => scenario.system.transport === 'http')) {
    err(`${file}: transport http, seeded but not byte-deterministic: real sockets and real time (time_scale ${scenario.system.timeScale}) decide the interleaving, so the event-log hash differs from run to run`);
  }
}

/** Runs the cases on the pool, each reported in seed order, until the plan's limits or Ctrl-C stop handing them out. */
async function runCases(
  tasks: CaseTask[],
  plan: RunPlan,
  setup: CaseSetup,
  reporter: Required<Reporter>,
  elapsedMs: () => number,
  io: RunIo,
  baseline: BaselineMatcher | undefined,
): Promise<RunOutcome> {
  const runners = await runnersFor(setup, Math.max(1, Math.min(plan.workers, tasks.length)));
  const limits = new CaseLimits(plan, elapsedMs);
  const reports: CaseReport[] = [];
  // Ctrl-C: hand out no more cases, let the running ones finish and report them; a second one quits at once.
  const onInterrupt = () => {
    if (limits.interrupted) process.exit(EXIT_INTERRUPTED);
    limits.interrupted = true;
    reporter.onInterrupt();
    io.err('interrupted: finishing the running cases, then writing the reports (Ctrl-C again quits now)');
  };
  if (io.interactive) process.on('SIGINT', onInterrupt);
  let crash: { error: unknown } | undefined;
  try {
    await runOrdered<CaseTask, CaseReport>({
      tasks,
      runners,
      schedule: () => limits.mayHandOut(),
      onSettled: (report) => {
        limits.settled(report);
        reporter.onCaseSettled(report);
      },
      onResult: (found) => {
        const report = baseline ? baseline.apply(found) : found;
        reports.push(report);
        reporter.onCase(report);
        return limits.reported(report);
      },
    });
  } catch (error) {
    // bad input found by a runner (a client that cannot take the scenario) is no crash: nothing is reported
    if (error instanceof BadInputError) throw error;
    crash = { error };
  } finally {
    process.off('SIGINT', onInterrupt);
    await Promise.all(runners.map((runner) => runner.close()));
  }
  if (crash) return { reports, reason: 'crash', crash: crash.error, stoppedOnFailures: limits.stoppedOnFailures };
  return { reports, reason: limits.reasonFor(reports.length, tasks.length), stoppedOnFailures: limits.stoppedOnFailures };
}

/**
 * The case module beside this one (run-case.ts from the sources, run-case.js once built), which each worker
 * thread loads. This thread imports it only to run the cases itself, so a pool's own thread never loads the
 * simulator (half a CPU-second that would compete with the workers starting).
 */
const CASE_MODULE_URL = new URL(`./run-case${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/** One runner on this thread, or `size` worker threads. */
async function runnersFor(setup: CaseSetup, size: number): Promise<Runner<CaseTask, CaseReport>[]> {
  if (size === 1) return [inProcessRunner(await import('./run-case.ts'), setup)];
  return Array.from({ length: size }, () => workerRunner<CaseSetup, CaseTask, CaseReport>(CASE_MODULE_URL, setup, reviveError));
}

/** A task error from a worker thread as the CLI would have seen it on its own thread (bad input stays exit 2). */
function reviveError(error: SerializedError): Error {
  const revived = error.name === 'BadInputError' ? new BadInputError(error.message) : error.name === 'SystemUnderTestError' ? new SystemUnderTestError(error.message) : new Error(error.message);
  if (error.stack) revived.stack = error.stack;
  return revived;
}

/**
 * When the run stops handing out cases: Ctrl-C, the `--stop-after`-th failing case (as soon as
 * one finishes; the cases are still reported in seed order), or the time budget, which always lets
 * the first case run, so a budget never yields an empty (and so green) run.
 */
class CaseLimits {
  interrupted = false;
  stoppedOnFailures = false;
  private handedOut = 0;
  private failuresSeen = 0;
  private failuresReported = 0;

  constructor(
    private readonly plan: RunPlan,
    private readonly elapsedMs: () => number,
  ) {}

  mayHandOut(): boolean {
    const { stopAfter, timeBudget } = this.plan;
    if (this.interrupted) return false;
    if (stopAfter !== undefined && this.failuresSeen >= stopAfter) return false;
    const go = this.handedOut === 0 || timeBudget === undefined || this.elapsedMs() < timeBudget.ms;
    if (go) this.handedOut++;
    return go;
  }

  /** A case finished, in any order. */
  settled(report: CaseReport): void {
    if (report.verdict !== 'pass') this.failuresSeen++;
  }

  /** A case was reported, in seed order; false once the run stops on failures. */
  reported(report: CaseReport): boolean {
    if (report.verdict !== 'pass') this.failuresReported++;
    this.stoppedOnFailures = this.plan.stopAfter !== undefined && this.failuresReported >= this.plan.stopAfter;
    return !this.stoppedOnFailures;
  }

  reasonFor(reported: number, planned: number): RunEndReason {
    if (this.interrupted) return 'interrupted';
    if (reported === planned) return 'done';
    return this.stoppedOnFailures ? 'stop-after' : 'budget';
  }
}

/** What the time budget and `--stop-after` left out, on stderr. */
function noteLimits(plan: RunPlan, outcome: RunOutcome, planned: number, elapsedMs: number, err: (text: string) => void): void {
  const { reports, stoppedOnFailures } = outcome;
  const notRun = planned - reports.length;
  if (plan.timeBudget) err(`--time-budget ${plan.timeBudget.text}: ${reports.length} of ${planned} cases fit (${(elapsedMs / 1000).toFixed(1)}s wall)`);
  if (plan.stopAfter !== undefined && stoppedOnFailures && notRun > 0) {
    err(`--stop-after ${plan.stopAfter}: stopped at the ${ordinal(plan.stopAfter)} failing case; ${notRun} case${notRun === 1 ? '' : 's'} not run`);
  }
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}
