// `sync-chaos replay <report.json> [--case N]`: reruns one recorded case (its scenario file, seed,
// client and swarm flag) and tells whether it reproduced: the same verdict, the same violations
// and the same event-log hash. Exit codes as `run`, and 4 when the rerun differs from the report;
// an unreadable report is bad input (exit 2).
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { EXIT_NOT_REPRODUCIBLE, exitCodeOf, type CaseReport } from '../report/case.ts';
import { readReportDocument } from '../report/read.ts';
import { consoleReporter } from '../report/console.ts';
import { BadInputError } from '../errors.ts';
import type { Thresholds } from '../scenario/thresholds.ts';
import * as caseModule from './run-case.ts';

interface ReplayFlags {
  case?: string;
  trace?: boolean;
}

/** The part of a report.json a replay reads. */
interface RecordedRun {
  showPayloads: boolean;
  /** The config's budgets the run held its cases to. */
  thresholds?: Thresholds;
  cases: CaseReport[];
}

const out = (text: string) => process.stdout.write(text + '\n');

export function replayCommand(): Command {
  return new Command('replay')
    .description('rerun a case of a report.json and check it reproduces the verdict, violations and event-log hash; exit codes as run, 4 when it does not')
    .argument('<report.json>', 'a report written by `run --reporter json`')
    .option('--case <n>', 'which case, counting from 1 in the report (default: the first that did not pass)')
    .option('--trace', "write the replayed case's event log as NDJSON")
    .exitOverride()
    .action(async (path: string, flags: ReplayFlags) => {
      process.exitCode = await replay(path, flags);
    });
}

async function replay(path: string, flags: ReplayFlags): Promise<number> {
  const recorded = readReport(path);
  const index = caseIndex(recorded.cases, flags.case);
  const before = recorded.cases[index]!;
  for (const file of [before.file, before.client]) {
    if (file !== undefined && !existsSync(file)) {
      throw new BadInputError(`${file}, as the report names it, is not found from ${process.cwd()}: replay from the folder the run started in`);
    }
  }
  caseModule.init({ files: [before.file], client: before.client, swarm: before.swarm, trace: flags.trace === true, showPayloads: recorded.showPayloads, timeline: false, checkDeterminism: false, ...(recorded.thresholds && { thresholds: recorded.thresholds }) });
  const after = await caseModule.runTask({ fileIndex: 0, seed: before.seed });
  out(`replaying case ${index + 1} of ${recorded.cases.length} in ${path}\n`);
  consoleReporter(out).onCase(after);
  out('');
  const { lines, reproduced } = comparison(before, after);
  for (const line of lines) out(line);
  const code = exitCodeOf([after]);
  return code === 3 || reproduced ? code : EXIT_NOT_REPRODUCIBLE; // a crash is still 3
}

/** One line per fact a replay must reproduce, each saying whether it did, and whether all of them were. */
export function comparison(before: CaseReport, after: CaseReport): { lines: string[]; reproduced: boolean } {
  const sameHash = before.eventLogHash === after.eventLogHash;
  const hash = sameHash
    ? `event-log hash ${after.eventLogHash}: matches the report`
    : `event-log hash ${after.eventLogHash}: DIFFERS from the report's ${before.eventLogHash} (the scenario file, the client or sync-chaos changed since)`;
  // a replay judges without the baseline: the report's known violations count as found, as the rerun finds them
  const recorded = [...before.violations, ...(before.knownViolations ?? [])];
  const recordedVerdict = before.verdict === 'pass' && recorded.length > 0 ? 'fail' : before.verdict;
  const sameVerdict = recordedVerdict === after.verdict;
  const verdict = sameVerdict ? `verdict ${after.verdict}: matches the report` : `verdict ${after.verdict}: DIFFERS from the report's ${recordedVerdict}`;
  const multiset = (violations: readonly unknown[]) => JSON.stringify(violations.map((violation) => JSON.stringify(violation)).sort());
  const sameViolations = multiset(recorded) === multiset(after.violations);
  const count = `${after.violations.length} violation${after.violations.length === 1 ? '' : 's'}`;
  const violations = sameViolations ? `${count}: the same as the report's` : `${count}: DIFFER from the report's ${recorded.length}`;
  return { lines: [hash, verdict, violations], reproduced: sameHash && sameVerdict && sameViolations };
}

/** The report's cases (read.ts has checked them against the schema) and whether payloads were shown. */
function readReport(path: string): RecordedRun {
  const { document } = readReportDocument(path);
  const thresholds = document.command.flags['thresholds'] as Thresholds | undefined;
  return { showPayloads: document.command.flags['showPayloads'] === true, ...(thresholds && { thresholds }), cases: [...document.cases] };
}

function caseIndex(cases: readonly CaseReport[], chosen: string | undefined): number {
  if (cases.length === 0) throw new BadInputError('the report holds no cases');
  if (chosen === undefined) return Math.max(0, cases.findIndex((each) => each.verdict !== 'pass'));
  const number = /^\d+$/.test(chosen) ? Number(chosen) : NaN;
  if (!(number >= 1 && number <= cases.length)) throw new BadInputError(`--case expects a number from 1 to ${cases.length}, found "${chosen}"`);
  return number - 1;
}
