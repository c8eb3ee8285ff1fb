// The reporters by name, as `--reporter` takes them (repeatable, like vitest's): `console`, `dot`,
// `github` and `json` print on stdout; `json`, `junit`, `markdown` and `html` write a file into the
// run's folder (and `github` appends the step summary to $GITHUB_STEP_SUMMARY when it is set).
// A run on a terminal adds the progress line, first, so it is cleared before anything is printed.
import type { CaseReport, PlannedCase, Reporter, RunEnd } from './case.ts';
import { consoleReporter } from './console.ts';
import { dotReporter } from './dot.ts';
import { githubReporter } from './github.ts';
import { htmlReporter } from './html.ts';
import { jsonReporter } from './json.ts';
import { junitReporter } from './junit.ts';
import { markdownReporter } from './markdown.ts';
import type { ProgressLine } from './progress.ts';
import type { RunInfo } from './run-info.ts';

export const REPORTER_NAMES = ['console', 'dot', 'github', 'json', 'junit', 'markdown', 'html'] as const;
export type ReporterName = (typeof REPORTER_NAMES)[number];

/** The reporters that write a file into the run's folder: naming one creates the folder. */
export const FILE_REPORTER_NAMES: readonly ReporterName[] = ['json', 'junit', 'markdown', 'html'];

/** The reporters that print lines on stdout, which a JSON document there would interleave with. */
export const LINE_REPORTER_NAMES: readonly ReporterName[] = ['console', 'dot', 'github'];

const REGISTRY: Record<ReporterName, (run: RunInfo, selected: readonly ReporterName[]) => Reporter> = {
  console: (run) => consoleReporter(run.write, { verbose: run.command.flags['verbose'] === true }),
  dot: (run) => dotReporter(run.write),
  github: (run) => githubReporter(run),
  // Lines and JSON both on stdout would interleave: with a reporter that prints lines, the JSON goes to its file only.
  json: (run, selected) => jsonReporter(run, { print: !selected.some((name) => LINE_REPORTER_NAMES.includes(name)) }),
  junit: (run) => junitReporter(run),
  markdown: (run) => markdownReporter(run),
  html: (run) => htmlReporter(run),
};


export function isReporterName(name: string): name is ReporterName {
  return (REPORTER_NAMES as readonly string[]).includes(name);
}

/** The selected reporters as one, called in the order they were named, after the progress line if there is one. */
export function createReporters(selected: readonly ReporterName[], run: RunInfo, progress?: ProgressLine): Required<Reporter> {
  const shown = progress ? { ...run, write: progress.above(run.write) } : run;
  const reporters: Reporter[] = [...(progress ? [progress] : []), ...[...new Set(selected)].map((name) => REGISTRY[name](shown, selected))];
  return {
    onRunStart: (planned: readonly PlannedCase[]) => reporters.forEach((reporter) => reporter.onRunStart?.(planned)),
    onInterrupt: () => reporters.forEach((reporter) => reporter.onInterrupt?.()),
    onCaseSettled: (report: CaseReport) => reporters.forEach((reporter) => reporter.onCaseSettled?.(report)),
    onCase: (report: CaseReport) => reporters.forEach((reporter) => reporter.onCase?.(report)),
    onRunEnd: (reports: readonly CaseReport[], end: RunEnd) => reporters.forEach((reporter) => reporter.onRunEnd?.(reports, end)),
  };
}
