// The sync-chaos command line: `run` executes scenario files over one or many seeds and exits
// 0 clean, 1 on violations, 2 on bad input, 3 when the system under test or the tool crashed;
// `validate` checks scenario files without running them.
import { Command, CommanderError, Option } from 'commander';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { exitCodeOf, toCaseReport, type CaseReport, type Reporter } from '../report/case.ts';
import { consoleReporter } from '../report/console.ts';
import { jsonReporter } from '../report/json.ts';
import { conformanceCommand } from './conformance-command.ts';
import { serverCommand } from './server-command.ts';
import { TRACE_FOLDER, writeTrace } from '../report/trace.ts';
import { BadInputError } from '../run/errors.ts';
import { loadClientFactory } from '../run/client-loader.ts';
import { runScenario } from '../run/run.ts';
import { formatIssue, loadScenarioFile, type Scenario } from '../scenario/index.ts';

const EXIT_BAD_INPUT = 2;
const EXIT_CRASH = 3;

interface RunFlags {
  seed?: string;
  seeds?: string;
  client?: string;
  swarm?: boolean;
  trace?: boolean;
  reporter: 'console' | 'json';
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
    .option('--trace', `write each case's event log as NDJSON under ${TRACE_FOLDER}/`)
    .option('--swarm', "swarm testing: the nemesis draws its fault parameters from each seed (and every kind, if the scenario has no nemesis); the drawn faults are printed")
    .addOption(new Option('--reporter <name>', 'output format').choices(['console', 'json']).default('console'))
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
  cli.addCommand(serverCommand());
  cli.addCommand(conformanceCommand());
  return cli;
}

async function run(files: string[], flags: RunFlags): Promise<number> {
  const scenarios = loadAll(files);
  if (!scenarios) return EXIT_BAD_INPUT;
  const reporter: Reporter = flags.reporter === 'json' ? jsonReporter(out) : consoleReporter(out);
  const reports: CaseReport[] = [];
  for (const { file, scenario } of scenarios) {
    const system = flags.client ? { ...scenario.system, client: flags.client } : scenario.system;
    const factory = await loadClientFactory(system, flags.client ? process.cwd() : dirname(file));
    for (const seed of seedsOf(scenario, flags)) {
      const startedMs = performance.now();
      const result = await runScenario(scenario, { seed, factory, swarm: flags.swarm === true });
      const wallMs = performance.now() - startedMs;
      const swarm = flags.swarm === true || scenario.nemesis?.swarm === true;
      const trace = flags.trace ? writeTrace(TRACE_FOLDER, scenario.name, seed, result.history.events) : undefined;
      const report = toCaseReport(result, { scenario: scenario.name, file, wallMs, swarm, trace, replay: replayCommand(file, seed, flags) });
      reports.push(report);
      reporter.onCase(report);
    }
  }
  reporter.onEnd(reports);
  return exitCodeOf(reports);
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

function replayCommand(file: string, seed: number, flags: RunFlags): string {
  return `npx sync-chaos run ${file} --seed ${seed}${flags.client ? ` --client ${flags.client}` : ''}${flags.swarm ? ' --swarm' : ''}`;
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
