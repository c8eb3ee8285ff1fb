// `summary.md`, for CI step summaries (`cat reports/latest/summary.md >> $GITHUB_STEP_SUMMARY`):
// the verdict first, a table of the cases, then each failing case's violations root cause first (a
// headline, each record's primary violation with its consequences nested), with the command that replays it.
import { causesOf } from '../check/causes.ts';
import { clockTime } from '../history/clock-time.ts';
import { exitCodeOf, type CaseReport, type Reporter, type RunEnd } from './case.ts';
import { counted } from './counted.ts';
import { violationHeadline } from './headline.ts';
import { idShortener } from './short-ids.ts';
import type { RunInfo } from './run-info.ts';

export const MARKDOWN_FILE = 'summary.md';

/** GitHub caps a step summary at 1 MiB: past this many lines, the rest is counted, not listed. */
const VIOLATION_LINES_SHOWN = 200;

export function markdownReporter(run: RunInfo): Reporter {
  return {
    onRunEnd(reports, end) {
      run.folder.write(MARKDOWN_FILE, markdownSummary(run.folder.id, reports, end));
    },
  };
}

/** `runId`: the run folder's, when the run has one (a run with only printing reporters has none). */
export function markdownSummary(runId: string | undefined, reports: readonly CaseReport[], end: RunEnd): string {
  const count = (verdict: CaseReport['verdict']) => reports.filter((report) => report.verdict === verdict).length;
  const [passed, failed, crashed] = [count('pass'), count('fail'), count('error')];
  const verdict = end.reason === 'interrupted'
    ? `## ⏹️ sync-chaos: interrupted (SIGINT) after ${reports.length} of ${end.planned} cases: ${failed} failed, ${crashed} crashed, ${passed} passed`
    : exitCodeOf(reports) === 0
      ? `## ✅ sync-chaos: all ${reports.length} case${reports.length === 1 ? '' : 's'} passed`
      : `## ❌ sync-chaos: ${failed} failed, ${crashed} crashed, ${passed} passed (${counted(reports.length, 'case')})`;
  const lines = [verdict, '', ...(runId === undefined ? [] : [`Run ${code(runId)}.`, '']), '| scenario | seed | verdict | writes | conflicts | simulated time | hash |', '|---|---:|---|---:|---:|---:|---|'];
  for (const report of reports) {
    const cells = [
      cell(report.scenario),
      String(report.seed),
      { pass: '✅ pass', fail: '❌ fail', error: '💥 error' }[report.verdict],
      String(report.counts.writes),
      String(report.counts.conflicts),
      clockTime(report.simulatedMs),
      code(report.eventLogHash),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }

  const problems = reports.flatMap((report) => [
    ...(report.verdict === 'fail' ? caseProblems(report) : []),
    ...(report.verdict === 'error' ? [`- 💥 **${cell(report.scenario)}** seed ${report.seed} · the system under test failed: ${cell(report.error?.message ?? 'unknown error')} · replay: ${code(report.replay)}`] : []),
  ]);
  if (problems.length > 0) {
    lines.push('', '### Violations, root cause first', '', ...problems.slice(0, VIOLATION_LINES_SHOWN));
    if (problems.length > VIOLATION_LINES_SHOWN) lines.push(`- … and ${problems.length - VIOLATION_LINES_SHOWN} more lines (see \`--reporter json\` or the console output)`);
  }
  if (end.baseline) lines.push('', ...baselineLines(end.baseline));
  return lines.join('\n') + '\n';
}

/**
 * A failing case: its headline (violations per checker, records affected) and its records, root cause
 * first (check/causes.ts), each record's primary violation with what followed from it nested under it.
 */
function caseProblems(report: CaseReport): string[] {
  const causes = causesOf(report.violations);
  const short = idShortener(report.violations);
  const headline = `- ❌ **${cell(report.scenario)}** seed ${report.seed}: ${cell(violationHeadline(causes))} · replay: ${code(report.replay)}`;
  return [
    headline,
    ...causes.groups.flatMap((group) => [
      `  - **[${cell(group.primary.checker)}]** ${cell(short(group.primary.summary))}`,
      ...group.consequences.map((violation) => `    - [${cell(violation.checker)}] ${cell(short(violation.summary))}`),
    ]),
  ];
}

/** The baseline's known violations counted, and each fixed entry listed, so the file can shrink. */
function baselineLines(baseline: NonNullable<RunEnd['baseline']>): string[] {
  const fixed = baseline.fixed ?? [];
  return [
    '### Baseline',
    '',
    `${code(baseline.file)}${baseline.updated ? ' written' : ''}: ${baseline.known} known (not failing), ${baseline.new} new${baseline.fixed ? `, ${fixed.length} fixed` : ''}.`,
    ...(fixed.length > 0 ? ['', ...fixed.map((entry) => `- ✔️ fixed: **${cell(entry.scenario)}** [${cell(entry.checker)}] ${cell(entry.signature)}${entry.count > 1 ? ` (×${entry.count})` : ''}`)] : []),
  ];
}

/** One line of Markdown text that cannot break a table or start markup. */
function cell(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/[\\`*_[\]<>|#]/g, (character) => `\\${character}`);
}

function code(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.includes('`') ? `\`\` ${flat} \`\`` : `\`${flat}\``;
}
