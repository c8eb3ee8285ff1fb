// The sync-chaos command line: `run` executes scenario files over one or many seeds and exits
// 0 clean, 1 on violations, 2 on bad input, 3 when the system under test or the tool crashed;
// `validate` checks scenario files; `server` and `conformance` speak protocol v1 over HTTP.
import { Command, CommanderError } from 'commander';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { exitCodeOf, type CaseReport, type Reporter } from '../report/case.ts';
import { createReporters, type ReporterName } from '../report/registry.ts';
import { DEFAULT_OUT, RunFolder, runIdOf, wallClockNow } from '../report/run-folder.ts';
import type { RunInfo } from '../report/run-info.ts';
import { conformanceCommand } from './conformance-command.ts';
import { replayCommand } from './replay-command.ts';
import { reportCommand } from './report-command.ts';
import { reporterOption } from './reporter-option.ts';
import { serverCommand } from './server-command.ts';
import { shrinkCommand } from './shrink-command.ts';
import { TRACE_FOLDER } from '../report/trace.ts';
import { BadInputError } from '../errors.ts';
import { inProcessRunner, runOrdered, workerRunner, type Runner } from '../run/pool.ts';
import { formatIssue, loadScenarioFile, parseDuration, type Scenario } from '../scenario/index.ts';
import { ProgressLine } from './progress.ts';
import * as caseModule from './run-case.ts';
import { reviveError, type CaseSetup, type CaseTask } from './run-case.ts';

const EXIT_BAD_INPUT = 2;
const EXIT_CRASH = 3;
/** SIGINT stopped the run (128 + SIGINT, as shells report it), whatever the verdict of the cases that finished. */
const EXIT_INTERRUPTED = 130;

interface RunFlags {
  seed?: string;
  seeds?: string;
  client?: string;
  swarm?: boolean;
  trace?: boolean;
  showPayloads?: boolean;
  /** Every `--reporter` given, in order; none means `console`. */
  reporter?: ReporterName[];
  out: string;
  workers?: string;
  shard?: string;
  stopAfter?: string;
  timeBudget?: string;
}

const out = (text: string) => process.stdout.write(text + '\n');
const err = (text: string) => process.stderr.write(text + '\n');

function program(): Command {
  const cli = new Command('sync-chaos')
    .description('Deterministic chaos testing for offline-first sync.')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  cli
    .command('run')
    .description('run scenario files; exit 0 clean, 1 violations, 2 bad input, 3 crash')
    .argument('<files...>', 'scenario YAML files')
    .option('--seed <seed>', "first seed (default: the scenario's seed)")
    .option('--seeds <count|from..to>', 'how many seeds to run, or an inclusive range', '1')
    .option('--client <path>', "a client module to test instead of the scenario's client")
    .option('--trace', `write each case's event log as NDJSON into the run's report folder and under ${TRACE_FOLDER}/`)
    .option('--show-payloads', 'let reports quote field values that are not the simulated users\' own tokens (by default they appear as sha256 hashes)')
    .option('--swarm', "swarm testing: the nemesis draws its fault parameters from each seed (and every kind, if the scenario has no nemesis); the drawn faults are printed")
    .addOption(reporterOption('console'))
    .option('--out <dir>', 'folder for the file reports (json, junit, markdown, html) and traces: each run writes <dir>/<run-id>/ and points <dir>/latest at it', DEFAULT_OUT)
    .option('--workers <n>', 'worker threads running seeds in parallel; 1 runs them in this process (default: the number of cores)')
    .option('--shard <i/n>', 'run only the i-th of n deterministic slices of the seeds (position mod n = i-1), for spreading a sweep over machines')
    .option('--stop-after <n>', 'stop after the n-th failing case in seed order')
    .option('--time-budget <duration>', 'run seeds in order until this much wall time is spent (e.g. 90s, 10m), then report the ones that fit')
    .action(async (files: string[], flags: RunFlags) => {
      process.exitCode = await run(files, flags);
    });

  cli
    .command('validate')
    .description('check scenario files without running them; exit 2 on any problem')
    .argument('<files...>', 'scenario YAML files')
    .action((files: string[]) => {
      process.exitCode = validate(files);
    });
  cli.addCommand(replayCommand());
  cli.addCommand(serverCommand());
  cli.addCommand(conformanceCommand());
  cli.addCommand(reportCommand());
  cli.addCommand(shrinkCommand());
  return cli;
}

async function run(files: string[], flags: RunFlags): Promise<number> {
  const startedMs = performance.now();
  const workers = flags.workers === undefined ? availableParallelism() : wholeNumber('--workers', flags.workers);
  if (workers < 1) throw new BadInputError('--workers must be at least 1');
  const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
  const stopAfter = flags.stopAfter === undefined ? undefined : wholeNumber('--stop-after', flags.stopAfter);
  if (stopAfter !== undefined && stopAfter < 1) throw new BadInputError('--stop-after must be at least 1');
  const budgetMs = flags.timeBudget === undefined ? undefined : parseDuration(flags.timeBudget);
  if (flags.timeBudget !== undefined && budgetMs === undefined) {
    throw new BadInputError(`--time-budget expects a duration like "90s", "10m" or "2h", found "${flags.timeBudget}"`);
  }
  const scenarios = loadAll(files);
  if (!scenarios) return EXIT_BAD_INPUT;
  for (const { file, scenario } of scenarios.filter(({ scenario }) => scenario.system.transport === 'http')) {
    err(`${file}: transport http, seeded but not byte-deterministic: real sockets and real time (time_scale ${scenario.system.timeScale}) decide the interleaving, so the event-log hash differs from run to run`);
  }
  const tasks: CaseTask[] = scenarios.flatMap(({ scenario }, fileIndex) =>
    seedsOf(scenario, flags)
      .filter((_, index) => !shard || index % shard.count === shard.index - 1)
      .map((seed) => ({ fileIndex, seed })),
  );

  const selected: ReporterName[] = flags.reporter ?? ['console'];
  const progress = process.stdout.isTTY && process.stderr.isTTY && !selected.includes('json') && tasks.length > 1 ? new ProgressLine(tasks.length) : undefined;
  progress?.draw(0);
  const write = (text: string) => {
    progress?.clear();
    out(text);
    progress?.draw(performance.now() - startedMs);
  };
  const startedAt = wallClockNow();
  const fileList = scenarios.map(({ file }) => file);
  // The run id's hash covers what decides the cases: which file × seed, which client, swarm or not.
  const runId = runIdOf(startedAt, { cases: tasks.map(({ fileIndex, seed }) => [fileList[fileIndex], seed]), client: flags.client ?? null, swarm: flags.swarm === true });
  const folder = new RunFolder(flags.out, runId);
  const info: RunInfo = { startedAt: startedAt.toISOString(), command: { files: fileList, flags: { ...flags, reporter: selected } }, folder, write };
  const reporter: Reporter = createReporters(selected, info);
  const setup: CaseSetup = { files: fileList, client: flags.client, swarm: flags.swarm === true, trace: flags.trace === true, runFolder: flags.trace ? folder.path : undefined, showPayloads: flags.showPayloads === true, timeline: selected.includes('html') };
  const size = Math.max(1, Math.min(workers, tasks.length));
  const runners: Runner<CaseTask, CaseReport>[] =
    size === 1
      ? [inProcessRunner(caseModule, setup)]
      : Array.from({ length: size }, () => workerRunner<CaseSetup, CaseTask, CaseReport>(new URL('./run-case.ts', import.meta.url), setup, reviveError));

  const reports: CaseReport[] = [];
  let failuresSeen = 0;
  let failuresReported = 0;
  let handedOut = 0;
  let stoppedOnFailures = false;
  let interrupted = false;
  // Ctrl-C: hand out no more cases, let the running ones finish and report them; a second one quits at once.
  const onInterrupt = () => {
    if (interrupted) process.exit(EXIT_INTERRUPTED);
    interrupted = true;
    progress?.clear();
    err('interrupted: finishing the running cases, then writing the reports (Ctrl-C again quits now)');
  };
  process.on('SIGINT', onInterrupt);
  try {
    await runOrdered<CaseTask, CaseReport>({
      tasks,
      runners,
      // The first seed always runs, so a budget never yields an empty (and so green) run.
      schedule: () => {
        if (interrupted) return false;
        if (stopAfter !== undefined && failuresSeen >= stopAfter) return false;
        const go = handedOut === 0 || budgetMs === undefined || performance.now() - startedMs < budgetMs;
        if (go) handedOut++;
        return go;
      },
      onSettled: (report) => {
        if (report.verdict !== 'pass') failuresSeen++;
        progress?.settled(report, performance.now() - startedMs);
      },
      onResult: (report) => {
        reports.push(report);
        reporter.onCase(report);
        if (report.verdict !== 'pass') failuresReported++;
        stoppedOnFailures = stopAfter !== undefined && failuresReported >= stopAfter;
        return !stoppedOnFailures;
      },
    });
  } finally {
    process.off('SIGINT', onInterrupt);
    progress?.clear();
    await Promise.all(runners.map((runner) => runner.close()));
  }
  reporter.onEnd(reports, { interrupted, planned: tasks.length });
  if (folder.exists) {
    folder.linkLatest();
    err(`reports: ${folder.path}`);
  }
  const notRun = tasks.length - reports.length;
  if (budgetMs !== undefined) {
    err(`--time-budget ${flags.timeBudget}: ${reports.length} of ${tasks.length} cases fit (${((performance.now() - startedMs) / 1000).toFixed(1)}s wall)`);
  }
  if (stopAfter !== undefined && stoppedOnFailures && notRun > 0) {
    err(`--stop-after ${stopAfter}: stopped at the ${ordinal(stopAfter)} failing case; ${notRun} case${notRun === 1 ? '' : 's'} not run`);
  }
  return interrupted ? EXIT_INTERRUPTED : exitCodeOf(reports);
}

/** `--shard i/n`: this machine runs the seeds at positions i-1, i-1+n, i-1+2n, … of each scenario's seed list. */
function parseShard(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const [index, count] = [Number(match?.[1]), Number(match?.[2])];
  if (!match || count < 1 || index < 1 || index > count) {
    throw new BadInputError(`--shard expects i/n with 1 <= i <= n (for example 1/4), found "${text}"`);
  }
  return { index, count };
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

function validate(files: string[]): number {
  const scenarios = loadAll(files);
  if (!scenarios) return EXIT_BAD_INPUT;
  for (const { file, scenario } of scenarios) out(`ok  ${file}  (${scenario.name})`);
  return 0;
}

/** Every file's scenario, or undefined after printing every problem of every file. */
function loadAll(files: string[]): { file: string; scenario: Scenario }[] | undefined {
  const loaded = files.map((file) => ({ file, result: loadScenarioFile(file) }));
  const issues = loaded.flatMap(({ result }) => (result.ok ? [] : result.issues));
  if (issues.length > 0) {
    for (const issue of issues) err(formatIssue(issue));
    err(`\n${issues.length} problem${issues.length === 1 ? '' : 's'} in scenario files; nothing was run.`);
    return undefined;
  }
  return loaded.map(({ file, result }) => ({ file, scenario: (result as { ok: true; scenario: Scenario }).scenario }));
}

function seedsOf(scenario: Scenario, flags: RunFlags): number[] {
  const range = /^(\d+)\.\.(\d+)$/.exec(flags.seeds ?? '');
  if (range) {
    const [from, to] = [Number(range[1]), Number(range[2])];
    if (to < from) throw new BadInputError(`--seeds ${flags.seeds}: the range ends before it starts`);
    return Array.from({ length: to - from + 1 }, (_, index) => from + index);
  }
  const count = wholeNumber('--seeds', flags.seeds ?? '1');
  if (count < 1) throw new BadInputError('--seeds must be at least 1');
  const first = flags.seed === undefined ? scenario.seed : wholeNumber('--seed', flags.seed);
  return Array.from({ length: count }, (_, index) => first + index);
}

function wholeNumber(flag: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new BadInputError(`${flag} expects a whole number, found "${text}"`);
  return Number(text);
}

async function main(argv: string[]): Promise<void> {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  try {
    await program().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    } else if (error instanceof BadInputError) {
      err(error.message);
      process.exitCode = EXIT_BAD_INPUT;
    } else {
      err(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exitCode = EXIT_CRASH;
    }
  }
}

await main(process.argv);
