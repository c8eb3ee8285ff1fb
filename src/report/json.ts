// The JSON reporter: one document, written to `<run folder>/report.json` and printed on stdout
// (unless the console reporter has stdout), for scripts and CI: the run id, the command's flags,
// and per case the scenario, seed, verdict, event-log hash, counts, checks, violations and replay
// command. Its shape is `schema/report.schema.json`; `version` changes when the shape does.
import { exitCodeOf, type CaseReport, type Reporter, type RunEnd } from './case.ts';
import type { RunInfo } from './run-info.ts';

export const JSON_REPORT_VERSION = 1;
export const JSON_REPORT_FILE = 'report.json';

export interface ReportDocument {
  version: typeof JSON_REPORT_VERSION;
  runId: string;
  startedAt: string;
  command: RunInfo['command'];
  /** `interrupted` when SIGINT stopped the run, whatever the finished cases say (exit 130); else as the cases decide. */
  verdict: CaseReport['verdict'] | 'interrupted';
  totals: { cases: number; passed: number; failed: number; errors: number };
  /** Present when SIGINT stopped the run: `cases` are the ones that finished, of `planned`. */
  interrupted?: { planned: number };
  /** Present when the run had a baseline of known violations: how many were known, new and fixed. */
  baseline?: RunEnd['baseline'];
  cases: readonly Omit<CaseReport, 'timeline'>[];
}

/** The verdict, the totals and the cases of a report.json: what the programmatic `run()` returns too. */
export type CaseResults = Pick<ReportDocument, 'verdict' | 'totals' | 'cases'>;

export function caseResults(reports: readonly CaseReport[]): CaseResults {
  const count = (verdict: CaseReport['verdict']) => reports.filter((report) => report.verdict === verdict).length;
  return {
    verdict: ({ 0: 'pass', 1: 'fail', 3: 'error', 4: 'fail' } as const)[exitCodeOf(reports)],
    totals: { cases: reports.length, passed: count('pass'), failed: count('fail'), errors: count('error') },
    cases: reports.map(({ timeline: _timeline, ...report }) => report),
  };
}

export function reportDocument(run: RunInfo, reports: readonly CaseReport[], end: RunEnd): ReportDocument {
  const { verdict, totals, cases } = caseResults(reports);
  return {
    version: JSON_REPORT_VERSION,
    runId: run.folder.id,
    startedAt: run.startedAt,
    command: run.command,
    verdict: end.reason === 'interrupted' ? 'interrupted' : end.reason === 'crash' ? 'error' : verdict,
    totals,
    ...(end.reason === 'interrupted' && { interrupted: { planned: end.planned } }),
    ...(end.baseline && { baseline: end.baseline }),
    cases,
  };
}

export function jsonReporter(run: RunInfo, options: { print: boolean }): Reporter {
  return {
    onRunEnd(reports, end) {
      const text = JSON.stringify(reportDocument(run, reports, end), null, 2);
      run.folder.write(JSON_REPORT_FILE, text + '\n');
      if (options.print) run.write(text);
    },
  };
}
