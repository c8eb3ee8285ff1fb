// The terminal reporter: one PASS/FAIL/ERROR line per scenario × seed with its counts, times,
// event-log hash and replay command; a failing case reads like a bug report underneath it, root cause first.
// Colours follow NO_COLOR and FORCE_COLOR, and only a terminal gets them (colors.ts).
import { causesOf } from '../check/causes.ts';
import { outcomeWords } from '../check/evidence.ts';
import type { Violation } from '../check/index.ts';
import { clockTime } from '../history/clock-time.ts';
import { faultListYaml } from '../scenario/fault-yaml.ts';
import { colors } from './colors.ts';
import type { CaseReport, Reporter, RunEnd } from './case.ts';
import { counted } from './counted.ts';
import { checkerCounts, violationHeadline } from './headline.ts';
import { idShortener } from './short-ids.ts';

/** Records shown under a failing case, root cause first; the rest are counted. */
const GROUPS_SHOWN = 5;

/** `verbose`: a swarm run prints every seed's drawn faults, not only the failing seeds'. */
export function consoleReporter(write: (text: string) => void, options: { verbose?: boolean } = {}): Required<Pick<Reporter, 'onCase' | 'onRunEnd'>> {
  return {
    onCase(report) {
      write(caseLine(report));
      if (report.swarm && (report.verdict !== 'pass' || options.verbose === true)) write(faultLines(report));
      if (report.trace) write(colors.dim(`       trace: ${report.trace}`));
      if (report.verdict === 'fail') write(violationLines(report));
      if (report.knownViolations) write(knownLines(report.knownViolations));
      if (report.error) write(colors.red(`  the system under test failed:\n${indent(report.error.stack ?? report.error.message)}`));
    },
    onRunEnd(reports, end) {
      printRunEnd(write, reports, end);
      if (end.baseline) write(baselineLines(end.baseline));
    },
  };
}

/** The run's warnings, each once, then its totals: how the console and the dot reporter end a run. */
export function printRunEnd(write: (text: string) => void, reports: readonly CaseReport[], end: RunEnd): void {
  for (const warning of new Set(reports.flatMap((report) => report.warnings ?? []))) write(colors.yellow(`warning: ${warning}`));
  const failed = reports.filter((report) => report.verdict === 'fail').length;
  const crashed = reports.filter((report) => report.verdict === 'error').length;
  const passed = reports.length - failed - crashed;
  const parts = [colors.green(`${passed} passed`), failed > 0 ? colors.red(`${failed} failed`) : `${failed} failed`];
  if (crashed > 0) parts.push(colors.red(`${crashed} crashed`));
  const interrupted = end.reason === 'interrupted' ? colors.yellow(` · interrupted: ${reports.length} of ${end.planned} cases ran`) : '';
  write(`\n${parts.join(', ')} (${counted(reports.length, 'case')})${interrupted}`);
}

function caseLine(report: CaseReport): string {
  const badge = { pass: colors.bgGreen(colors.black(' PASS ')), fail: colors.bgRed(colors.white(' FAIL ')), error: colors.bgMagenta(colors.white(' ERROR ')) }[
    report.verdict
  ];
  const { counts } = report;
  const facts = [
    counted(counts.devices, 'device'),
    counted(counts.writes, 'write'),
    counted(counts.conflicts, 'conflict'),
    counted(counts.syncRequests, 'sync'),
    ...(counts.resumeWrites > 0 ? [`resume ${counts.resumeAcknowledged}/${counts.resumeWrites} writes`] : []),
    ...(report.summary && report.summary.lost > 0 ? [`${report.summary.lost} lost`] : []),
    `${clockTime(report.simulatedMs)} simulated`,
    `${(report.wallMs / 1000).toFixed(2)}s wall`,
    `hash ${report.eventLogHash}`,
  ];
  if (!report.quiesced) facts.push(colors.yellow('did not quiesce'));
  return `${badge} ${colors.bold(report.scenario)} seed ${report.seed}  ${colors.dim(facts.join(' · '))}\n       ${colors.dim('replay:')} ${report.replay}`;
}

/** The drawn faults in scenario syntax, one `faults:` entry a line, to paste into a scenario file and run them again. */
function faultLines(report: CaseReport): string {
  if (report.drawnFaults.length === 0) return colors.dim('       faults drawn: none');
  const entries = faultListYaml(report.drawnFaults, report.chaosMs ?? Infinity).split('\n');
  return colors.dim(['       faults drawn (paste under faults:):', ...entries.map((entry) => `         ${entry}`)].join('\n'));
}

/** The violations the baseline holds as known: counted per checker, not failing the case. */
function knownLines(known: NonNullable<CaseReport['knownViolations']>): string {
  const byChecker = new Map<string, number>();
  for (const violation of known) byChecker.set(violation.checker, (byChecker.get(violation.checker) ?? 0) + 1);
  const counts = [...byChecker].map(([checker, count]) => `${count} ${checker}`).join(', ');
  return colors.dim(`  ≈ ${counted(known.length, 'known violation')} (in the baseline, not failing): ${counts}`);
}

/** The run against its baseline: known, new, and fixed entries to drop from it. */
function baselineLines(baseline: NonNullable<RunEnd['baseline']>): string {
  const head = baseline.updated
    ? `baseline ${baseline.file} written: ${counted(baseline.known, 'known violation')}`
    : `baseline ${baseline.file}: ${baseline.known} known, ${baseline.new} new${baseline.fixed ? `, ${baseline.fixed.length} fixed` : ''}`;
  const fixed = (baseline.fixed ?? []).map((entry) => `  ✓ fixed: ${entry.scenario} [${entry.checker}] ${entry.signature}${entry.count > 1 ? ` (×${entry.count})` : ''}`);
  const hint = fixed.length > 0 && !baseline.updated ? ['  run with --update-baseline to drop the fixed ones from the baseline'] : [];
  return [head, ...fixed, ...hint].join('\n');
}

/** Under a violation: each write involved (what became of it on the device and at the server) and each fault around it. */
function evidenceLines(violation: Violation): string[] {
  const writes = (violation.writes ?? []).map(
    (write) => `write ${write.device} op ${write.op} at ${clockTime(write.atMs)}: ${write.f}${write.field ? ` ${write.field}` : ''}${write.token ? ` = ${write.token}` : ''} (${outcomeWords(write)})`,
  );
  const faults = (violation.faults ?? []).map(
    (fault) =>
      `fault ${fault.kind}${fault.mode ? ` (${fault.mode})` : ''}${fault.targets ? ` on ${fault.targets.join(',')}` : ''} from ${clockTime(fault.startMs)}${fault.stopMs === undefined ? '' : ` to ${clockTime(fault.stopMs)}`}`,
  );
  if (faults.length > 0 || writes.length === 0) return [...writes, ...faults];
  return [...writes.slice(0, -1), `${writes.at(-1)} · no fault overlapped`];
}

/**
 * Root cause first (check/causes.ts): a headline with the count per checker and the records affected,
 * then the first few records, each under its primary violation with its evidence and what followed
 * from it, so one flood of symptoms (divergence) never hides the cause.
 */
function violationLines(report: CaseReport): string {
  const causes = causesOf(report.violations);
  const short = idShortener(report.violations);
  const lines = [`  ${colors.bold(violationHeadline(causes))}`];
  for (const group of causes.groups.slice(0, GROUPS_SHOWN)) {
    lines.push(`  ${colors.red('✗')} [${group.primary.checker}] ${short(group.primary.summary)}`);
    lines.push(...evidenceLines(group.primary).map((line) => colors.dim(`      ${short(line)}`)));
    if (group.consequences.length > 0) lines.push(colors.dim(`      ↳ with it: ${consequenceCounts(group.consequences)}`));
  }
  const hidden = causes.groups.slice(GROUPS_SHOWN);
  if (hidden.length > 0) {
    const primaries = checkerCounts(causesOf(hidden.map((group) => group.primary)));
    lines.push(colors.dim(`  … and ${counted(hidden.length, 'more cause')} (${primaries}): --reporter json or html lists every one`));
  }
  return lines.join('\n');
}

/** `3 divergence (d1, d3) · 5 integrity (d2)`: what a cause brought with it, per checker, and where. */
function consequenceCounts(consequences: readonly Violation[]): string {
  const byChecker = new Map<string, Violation[]>();
  for (const violation of consequences) byChecker.set(violation.checker, [...(byChecker.get(violation.checker) ?? []), violation]);
  return [...byChecker]
    .map(([checker, violations]) => {
      const devices = [...new Set(violations.flatMap((violation) => (violation.device ? [violation.device] : [])))].sort();
      return `${violations.length} ${checker}${devices.length > 0 ? ` (${devices.join(', ')})` : ''}`;
    })
    .join(' · ');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
