// `sync-chaos shrink <report.json> [--case N]`: a failing case of a finished run cut down to a
// small scenario that still fails the same way (its root cause: check/causes.ts), written as
// `shrunk-case-N.yaml` in the run folder (never through `latest`), with the sizes before and after and
// the command that replays it. Bad input is exit 2.
import { Command } from 'commander';
import { lstatSync, readlinkSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { rootCause } from '../check/causes.ts';
import { writeFileAtomic } from '../report/atomic.ts';
import type { CaseReport } from '../report/case.ts';
import { clockTime } from '../history/clock-time.ts';
import { readReportDocument } from '../report/read.ts';
import { loadClient } from '../run/client-loader.ts';
import { BadInputError } from '../errors.ts';
import { loadScenarioFile, type Scenario } from '../scenario/index.ts';
import { describeTarget, NotFailingError, shrinkCase, type CaseSize } from '../shrink/shrink.ts';

interface ShrinkFlags {
  case?: string;
  maxRuns: string;
}

const DEFAULT_MAX_RUNS = '200';

const out = (text: string) => process.stdout.write(text + '\n');
const err = (text: string) => process.stderr.write(text + '\n');

export function shrinkCommand(): Command {
  return new Command('shrink')
    .description('minimise a failing case of a report: fewer devices, writes and faults, a shorter run; writes shrunk-case-N.yaml beside the report')
    .argument('<report>', 'a report.json (or the run folder holding it)')
    .option('--case <n>', "which case of the report (1-based, in the report's order; default: the first failing one)")
    .option('--max-runs <n>', 'most scenario runs to spend', DEFAULT_MAX_RUNS)
    .exitOverride()
    .action(async (report: string, flags: ShrinkFlags) => {
      process.exitCode = await shrink(report, flags);
    });
}

async function shrink(reportPath: string, flags: ShrinkFlags): Promise<number> {
  const { path, document } = readReportDocument(reportPath);
  const number = flags.case === undefined ? document.cases.findIndex((each) => each.verdict === 'fail') + 1 : positive('--case', flags.case);
  const chosen = document.cases[number - 1];
  if (number === 0) throw new BadInputError(`${path}: no case failed with a violation; nothing to shrink`);
  if (!chosen) throw new BadInputError(`--case ${number}: ${path} holds ${document.cases.length} case${document.cases.length === 1 ? '' : 's'}`);
  const violation = rootCause(chosen.violations);
  if (chosen.verdict !== 'fail' || !violation) throw new BadInputError(`--case ${number} (${chosen.scenario} seed ${chosen.seed}) did not fail with a violation (verdict ${chosen.verdict})`);
  const target = { checker: violation.checker, ...(violation.kind !== undefined && { kind: violation.kind }) };

  const folder = runFolderOf(dirname(path));
  const client = typeof document.command.flags['client'] === 'string' ? document.command.flags['client'] : undefined;
  const scenario = scenarioFor(chosen, client, folder);
  const definition = await loadClient(scenario.system, folder);
  err(`shrinking case ${number}: ${chosen.scenario} seed ${chosen.seed}, keeping a ${describeTarget(target)} violation (at most ${flags.maxRuns} runs)`);
  let outcome;
  try {
    outcome = await shrinkCase(
      { scenario, swarm: document.command.flags['swarm'] === true },
      {
        seed: chosen.seed,
        client: definition,
        target,
        maxRuns: positive('--max-runs', flags.maxRuns),
        onRun: ({ index, kept, size }) => err(`  run ${String(index).padStart(3)}  ${kept ? 'still fails' : 'passes    '}  ${sizeText(size)}`),
      },
    );
  } catch (error) {
    if (error instanceof NotFailingError) throw new BadInputError(`${chosen.file} ${error.message}: was the scenario or the client changed since the report?`);
    throw error;
  }

  const file = resolve(folder, `shrunk-case-${number}.yaml`);
  const replay = `npx sync-chaos run ${relative(process.cwd(), file)} --seed ${chosen.seed}${outcome.state.swarm ? ' --swarm' : ''}`;
  writeFileAtomic(file, `# Shrunk by sync-chaos from ${chosen.file} seed ${chosen.seed} (${describeTarget(target)}).\n# replay: ${replay}\n${outcome.yaml}`);
  out(`shrunk ${chosen.scenario} seed ${chosen.seed} in ${outcome.runs} runs, still failing with a ${describeTarget(target)} violation`);
  out(`  before  ${sizeText(outcome.before)}`);
  out(`  after   ${sizeText(outcome.after)}`);
  out(`  scenario: ${relative(process.cwd(), file)}`);
  out(`  replay: ${replay}`);
  return 0;
}

/**
 * The run folder itself when `folder` is a link to it (`reports/latest`), so the printed paths and the
 * replay command still work after the next run moves `latest`.
 */
function runFolderOf(folder: string): string {
  return lstatSync(folder).isSymbolicLink() ? resolve(dirname(folder), readlinkSync(folder)) : folder;
}

/** The case's scenario as it ran (the client it was given, its seed), its client path relative to the folder the shrunk file goes to. */
function scenarioFor(chosen: CaseReport, client: string | undefined, folder: string): Scenario {
  const loaded = loadScenarioFile(chosen.file);
  if (!loaded.ok) throw new BadInputError(`${chosen.file}: the scenario of case ${chosen.scenario} seed ${chosen.seed} no longer loads (run shrink from the folder the run was started in)`);
  const { scenario } = loaded;
  const clientPath = client ?? scenario.system.client;
  const base = client ? process.cwd() : dirname(chosen.file);
  const moved = clientPath === 'reference' ? clientPath : relative(folder, resolve(base, clientPath));
  return {
    ...scenario,
    name: `${scenario.name}-shrunk`,
    description: `${scenario.name} seed ${chosen.seed}, shrunk by sync-chaos shrink`,
    seed: chosen.seed,
    system: { ...scenario.system, client: moved === 'reference' || moved.startsWith('.') ? moved : `./${moved}` },
  };
}

function sizeText(size: CaseSize): string {
  return `devices ${size.devices} · writes ${size.operations} · faults ${size.faults} · duration ${clockTime(size.durationMs)} + resume ${clockTime(size.resumeMs)}`;
}

function positive(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new BadInputError(`${flag} expects a whole number of at least 1, found "${text}"`);
  return Number(text);
}
