// `junit.xml`: the shape GitHub (test-reporter actions), GitLab (`artifacts:reports:junit`) and
// Jenkins (`junit` step) read: a <testsuites> root with totals, a <testsuite> per scenario file, a
// <testcase> per seed (classname = scenario name, name = `seed N`, time in seconds). A failing
// seed carries <failure> with its root cause as the message, then one violation per line, each record's
// consequences indented under its primary violation (check/causes.ts), and the replay command; a crashed one <error>;
// an interrupted run one more suite whose <error> testcase says how many cases ran, so no CI reads it green.
import { causesOf } from '../check/causes.ts';
import type { CaseReport, Reporter, RunEnd } from './case.ts';
import { violationHeadline } from './headline.ts';
import { idShortener } from './short-ids.ts';
import type { RunInfo } from './run-info.ts';

export const JUNIT_FILE = 'junit.xml';

export function junitReporter(run: RunInfo): Reporter {
  return {
    onRunEnd(reports, end) {
      run.folder.write(JUNIT_FILE, junitXml(run.folder.id, run.startedAt, reports, end));
    },
  };
}

export function junitXml(runId: string, startedAt: string, reports: readonly CaseReport[], end: RunEnd): string {
  const byFile = new Map<string, CaseReport[]>();
  for (const report of reports) byFile.set(report.file, [...(byFile.get(report.file) ?? []), report]);
  const interrupted = end.reason === 'interrupted';
  const all = totals(reports);
  const root = { name: `sync-chaos ${runId}`, ...all, tests: all.tests + Number(interrupted), errors: all.errors + Number(interrupted), timestamp: startedAt };
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites ${attributes(root)}>`];
  for (const [file, cases] of byFile) {
    lines.push(`  <testsuite ${attributes({ name: file, ...totals(cases), skipped: 0, timestamp: startedAt })}>`);
    for (const report of cases) lines.push(...testcase(report));
    lines.push('  </testsuite>');
  }
  if (interrupted) lines.push(...interruptedSuite(reports.length, end.planned, startedAt));
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}

/** The interruption as a failing test of its own, with the cases that never ran counted as skipped. */
function interruptedSuite(ran: number, planned: number, startedAt: string): string[] {
  const message = `interrupted (SIGINT) after ${ran} of ${planned} cases: ${planned - ran} never ran, so this run proves nothing about them`;
  return [
    `  <testsuite ${attributes({ name: 'sync-chaos run', tests: 1, failures: 0, errors: 1, skipped: planned - ran, time: seconds(0), timestamp: startedAt })}>`,
    `    <testcase ${attributes({ classname: 'sync-chaos', name: 'run completed', time: seconds(0) })}>`,
    `      <error ${attributes({ message, type: 'interrupted' })}>${text(message)}</error>`,
    '    </testcase>',
    '  </testsuite>',
  ];
}

function totals(reports: readonly CaseReport[]) {
  return {
    tests: reports.length,
    failures: reports.filter((report) => report.verdict === 'fail').length,
    errors: reports.filter((report) => report.verdict === 'error').length,
    time: seconds(reports.reduce((sum, report) => sum + report.wallMs, 0)),
  };
}

function testcase(report: CaseReport): string[] {
  const open = `    <testcase ${attributes({ classname: report.scenario, name: `seed ${report.seed}`, time: seconds(report.wallMs), file: report.file })}`;
  const facts = `event-log hash ${report.eventLogHash}\nreplay: ${report.replay}`;
  if (report.verdict === 'fail') {
    const causes = causesOf(report.violations);
    const short = idShortener(report.violations);
    const root = causes.groups[0]?.primary;
    const headline = violationHeadline(causes);
    const message = `${headline}; root cause: ${root ? `[${root.checker}] ${short(root.summary)}` : 'see the checks'}`;
    const grouped = causes.groups.flatMap((group) => [
      `[${group.primary.checker}] ${short(group.primary.summary)}`,
      ...group.consequences.map((violation) => `    [${violation.checker}] ${short(violation.summary)}`),
    ]);
    const body = [headline, '', ...grouped, '', facts].join('\n');
    return [`${open}>`, `      <failure ${attributes({ message, type: 'violation' })}>${text(body)}</failure>`, '    </testcase>'];
  }
  if (report.verdict === 'error') {
    const message = `the system under test failed: ${report.error?.message ?? 'unknown error'}`;
    const body = [report.error?.stack ?? report.error?.message ?? '', '', facts].join('\n');
    return [`${open}>`, `      <error ${attributes({ message, type: 'error' })}>${text(body)}</error>`, '    </testcase>'];
  }
  if (report.knownViolations) {
    const known = report.knownViolations.map((violation) => `known (baseline): [${violation.checker}] ${violation.summary}`).join('\n');
    return [`${open}>`, `      <system-out>${text(known)}</system-out>`, '    </testcase>'];
  }
  return [`${open}/>`];
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}="${text(String(value)).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;')}"`)
    .join(' ');
}

/** Escapes text for XML and drops what XML 1.0 cannot hold at all (ANSI escapes in a stack, other control characters, lone surrogates). */
export function text(value: string): string {
  return value
    .replace(/\x1b\[[0-9;]*m/g, '')
    .replace(/[^\t\n\r\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
