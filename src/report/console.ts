// The terminal reporter: one PASS/FAIL/ERROR line per scenario × seed with its counts, times,
// event-log hash and replay command; a failing case reads like a bug report underneath it.
// Colours follow NO_COLOR and FORCE_COLOR, and only a terminal gets them (colors.ts).
import { colors } from './colors.ts';
import type { CaseReport, Reporter } from './case.ts';
import { counted } from './counted.ts';

const VIOLATIONS_SHOWN_PER_CHECKER = 5;

export function consoleReporter(write: (text: string) => void): Required<Pick<Reporter, 'onCase' | 'onRunEnd'>> {
  return {
    onCase(report) {
      write(caseLine(report));
      if (report.swarm) write(faultLines(report));
      if (report.trace) write(colors.dim(`       trace: ${report.trace}`));
      if (report.verdict === 'fail') write(violationLines(report));
      if (report.error) write(colors.red(`  the system under test failed:\n${indent(report.error.stack ?? report.error.message)}`));
    },
    onRunEnd(reports, end) {
      for (const warning of new Set(reports.flatMap((report) => report.warnings ?? []))) write(colors.yellow(`warning: ${warning}`));
      const failed = reports.filter((report) => report.verdict === 'fail').length;
      const crashed = reports.filter((report) => report.verdict === 'error').length;
      const passed = reports.length - failed - crashed;
      const parts = [colors.green(`${passed} passed`), failed > 0 ? colors.red(`${failed} failed`) : `${failed} failed`];
      if (crashed > 0) parts.push(colors.red(`${crashed} crashed`));
      const interrupted = end.reason === 'interrupted' ? colors.yellow(` · interrupted: ${reports.length} of ${end.planned} cases ran`) : '';
      write(`\n${parts.join(', ')} (${counted(reports.length, 'case')})${interrupted}`);
    },
  };
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

/** The drawn faults, one per line: when, how long, what kind, on whom, with which parameters. */
function faultLines(report: CaseReport): string {
  if (report.drawnFaults.length === 0) return colors.dim('       faults drawn: none');
  const lines = report.drawnFaults.map(({ atMs, forMs, spec }) => {
    const { kind, ...parameters } = spec;
    const span = forMs === undefined ? '' : ` for ${clockTime(forMs)}`;
    const shown = Object.entries(parameters).map(([name, value]) => `${name}=${Array.isArray(value) ? value.join(',') : typeof value === 'number' ? round(value) : value}`);
    return `         ${clockTime(atMs).padStart(8)}${span.padEnd(12)} ${kind} ${shown.join(' ')}`;
  });
  return colors.dim(['       faults drawn:', ...lines].join('\n'));
}

/** Under a violation: each write involved and each fault around it, one per line, so it reads without the code. */
function evidenceLines(violation: CaseReport['violations'][number]): string {
  const outcome = { ok: 'acknowledged', fail: 'refused', info: 'outcome unknown', pending: 'never returned' };
  const writes = (violation.writes ?? []).map(
    (write) =>
      `      write ${write.device} op ${write.op} at ${clockTime(write.atMs)}: ${write.f}${write.field ? ` ${write.field}` : ''}${write.token ? ` = ${write.token}` : ''} (${outcome[write.outcome]})`,
  );
  const faults = (violation.faults ?? []).map(
    (fault) =>
      `      fault ${fault.kind}${fault.mode ? ` (${fault.mode})` : ''}${fault.targets ? ` on ${fault.targets.join(',')}` : ''} from ${clockTime(fault.startMs)}${fault.stopMs === undefined ? '' : ` to ${clockTime(fault.stopMs)}`}`,
  );
  const lines = [...writes, ...(faults.length > 0 ? faults : violation.writes ? ['      no fault overlapped'] : [])];
  return lines.length > 0 ? `\n${colors.dim(lines.join('\n'))}` : '';
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

/** The violations grouped by checker, the first few of each, so one flood (divergence) never hides a sharper finding. */
function violationLines(report: CaseReport): string {
  const byChecker = new Map<string, CaseReport['violations']>();
  for (const violation of report.violations) byChecker.set(violation.checker, [...(byChecker.get(violation.checker) ?? []), violation]);
  const lines: string[] = [];
  for (const [checker, violations] of byChecker) {
    for (const violation of violations.slice(0, VIOLATIONS_SHOWN_PER_CHECKER)) {
      lines.push(`  ${colors.red('✗')} [${checker}] ${violation.summary}${evidenceLines(violation)}`);
    }
    const hidden = violations.length - VIOLATIONS_SHOWN_PER_CHECKER;
    if (hidden > 0) lines.push(colors.dim(`  … and ${hidden} more from ${checker}`));
  }
  return lines.join('\n');
}

/** Simulated time as a person reads it: 1h02m03s, 10m04s, 12.5s. */
export function clockTime(ms: number): string {
  const seconds = Math.floor(ms / 1000) % 60;
  const minutes = Math.floor(ms / 60_000) % 60;
  const hours = Math.floor(ms / 3_600_000);
  if (hours > 0) return `${hours}h${pad(minutes)}m${pad(seconds)}s`;
  if (minutes > 0) return `${minutes}m${pad(seconds)}s`;
  return `${(ms / 1000).toFixed(1)}s`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
