// The `github` reporter, in the manner of vitest's and playwright's: each violation as an `::error`
// workflow command pointing at the scenario file and naming the checker, root cause first, so GitHub
// shows it on the pull request; and the step summary appended to $GITHUB_STEP_SUMMARY when it is set.
// The escaping is GitHub's workflow-command format: in the message % \r \n, in properties also : and ,.
import { appendFileSync, readFileSync } from 'node:fs';
import { causesOf } from '../check/causes.ts';
import type { CaseReport, Reporter } from './case.ts';
import { markdownSummary } from './markdown.ts';
import type { RunInfo } from './run-info.ts';
import { idShortener } from './short-ids.ts';

export interface GithubEnvironment {
  /** The file GitHub Actions reads the step summary from (`$GITHUB_STEP_SUMMARY`), when set. */
  stepSummary?: string;
  /** The scenario file's text, to find the line its scenario starts on. */
  readScenario(file: string): string;
  appendSummary(file: string, text: string): void;
}

export const GITHUB_ENVIRONMENT: GithubEnvironment = {
  ...(process.env.GITHUB_STEP_SUMMARY && { stepSummary: process.env.GITHUB_STEP_SUMMARY }),
  readScenario: (file) => readFileSync(file, 'utf8'),
  appendSummary: (file, text) => appendFileSync(file, text),
};

export function githubReporter(run: RunInfo, environment: GithubEnvironment = GITHUB_ENVIRONMENT): Reporter {
  return {
    onCase(report) {
      for (const line of annotations(report, scenarioLine(report.file, environment))) run.write(line);
    },
    onRunEnd(reports, end) {
      if (environment.stepSummary) environment.appendSummary(environment.stepSummary, markdownSummary(run.folder.exists ? run.folder.id : undefined, reports, end));
    },
  };
}

/** A failing case's violations as `::error` commands, each record's primary violation before what followed from it; a crash as one. */
export function annotations(report: CaseReport, line: number): string[] {
  const where = { file: report.file, line: String(line) };
  const name = `${report.scenario} seed ${report.seed}`;
  if (report.verdict === 'error') {
    return [workflowCommand('error', { ...where, title: `sync-chaos: the system under test failed (${name})` }, `${report.error?.message ?? 'unknown error'}\nreplay: ${report.replay}`)];
  }
  if (report.verdict !== 'fail') return [];
  const short = idShortener(report.violations);
  return causesOf(report.violations).groups.flatMap(({ primary, consequences }) => [
    workflowCommand('error', { ...where, title: `sync-chaos [${primary.checker}] ${name}` }, `${short(primary.summary)}\nreplay: ${report.replay}`),
    ...consequences.map((violation) =>
      workflowCommand('error', { ...where, title: `sync-chaos [${violation.checker}] ${name}` }, `${short(violation.summary)}\nfollows from [${primary.checker}] ${short(primary.summary)}\nreplay: ${report.replay}`),
    ),
  ]);
}

/** `::command key=value,…::message`, escaped as GitHub's workflow-command format requires. */
export function workflowCommand(command: string, properties: Record<string, string>, message: string): string {
  const shown = Object.entries(properties).map(([key, value]) => `${key}=${escapeProperty(value)}`);
  return `::${command}${shown.length > 0 ? ` ${shown.join(',')}` : ''}::${escapeData(message)}`;
}

export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** The line of the scenario's `name:` key, where the scenario starts (1 when the file cannot be read or has none). */
function scenarioLine(file: string, environment: GithubEnvironment): number {
  try {
    const index = environment.readScenario(file).split(/\r?\n/).findIndex((line) => /^name\s*:/.test(line));
    return index + 1 || 1;
  } catch {
    return 1;
  }
}
