// The `dot` reporter, for long sweeps: one character per case in seed order (`.` pass, `F` fail,
// `E` the system under test failed), a row of 50 with its count, then each failing case in three
// lines (its headline, its root cause, its replay command) and the totals.
import { causesOf } from '../check/causes.ts';
import type { CaseReport, Reporter } from './case.ts';
import { colors } from './colors.ts';
import { printRunEnd } from './console.ts';
import { violationHeadline } from './headline.ts';
import { idShortener } from './short-ids.ts';

const CASES_PER_ROW = 50;

export function dotReporter(write: (text: string) => void): Reporter {
  let row = '';
  let done = 0;
  const failing: CaseReport[] = [];
  const flush = () => {
    if (row.length > 0) write(`${row}${' '.repeat(CASES_PER_ROW - row.length)} ${done}`);
    row = '';
  };
  return {
    onCase(report) {
      done++;
      row += { pass: '.', fail: colors.red('F'), error: colors.magenta('E') }[report.verdict];
      if (report.verdict !== 'pass') failing.push(report);
      if (done % CASES_PER_ROW === 0) flush();
    },
    onRunEnd(reports, end) {
      flush();
      for (const report of failing) write(failureLines(report));
      printRunEnd(write, reports, end);
    },
  };
}

function failureLines(report: CaseReport): string {
  const name = `${report.scenario} seed ${report.seed}`;
  const replay = colors.dim(`    replay: ${report.replay}`);
  if (report.verdict === 'error') return [`${colors.magenta('E')} ${name}: the system under test failed: ${report.error?.message ?? 'unknown error'}`, replay].join('\n');
  const causes = causesOf(report.violations);
  const root = causes.groups[0]?.primary;
  const short = idShortener(report.violations);
  return [`${colors.red('F')} ${name}: ${violationHeadline(causes)}`, ...(root ? [`    root cause: [${root.checker}] ${short(root.summary)}`] : []), replay].join('\n');
}
