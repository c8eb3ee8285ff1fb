// The reporters by name, as `--reporter` takes them (repeatable, like vitest's): `console` and
// `json` print on stdout; `json`, `junit`, `markdown` and `html` write a file into the run's folder.
import type { CaseReport, Reporter, RunEnd } from './case.ts';
import { consoleReporter } from './console.ts';
import { htmlReporter } from './html.ts';
import { jsonReporter } from './json.ts';
import { junitReporter } from './junit.ts';
import { markdownReporter } from './markdown.ts';
import type { RunInfo } from './run-info.ts';

export const REPORTER_NAMES = ['console', 'json', 'junit', 'markdown', 'html'] as const;
export type ReporterName = (typeof REPORTER_NAMES)[number];

const REGISTRY: Record<ReporterName, (run: RunInfo, selected: readonly ReporterName[]) => Reporter> = {
  console: (run) => consoleReporter(run.write),
  // Both on stdout would interleave lines and JSON: with `console` too, the JSON goes to its file only.
  json: (run, selected) => jsonReporter(run, { print: !selected.includes('console') }),
  junit: (run) => junitReporter(run),
  markdown: (run) => markdownReporter(run),
  html: (run) => htmlReporter(run),
};

export function isReporterName(name: string): name is ReporterName {
  return (REPORTER_NAMES as readonly string[]).includes(name);
}

/** The selected reporters as one, called in the order they were named. */
export function createReporters(selected: readonly ReporterName[], run: RunInfo): Reporter {
  const reporters = [...new Set(selected)].map((name) => REGISTRY[name](run, selected));
  return {
    onCase: (report: CaseReport) => reporters.forEach((reporter) => reporter.onCase(report)),
    onEnd: (reports: readonly CaseReport[], end: RunEnd) => reporters.forEach((reporter) => reporter.onEnd(reports, end)),
  };
}
