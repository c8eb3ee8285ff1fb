// The terminal reporter: one PASS/FAIL/ERROR line per scenario × seed with its counts, times,
// event-log hash and replay command; a failing case reads like a bug report underneath it.
import chalk from 'chalk';
import type { CaseReport, Reporter } from './case.ts';

const VIOLATIONS_SHOWN = 20;

export function consoleReporter(write: (text: string) => void): Reporter {
  return {
    onCase(report) {
      write(caseLine(report));
      if (report.swarm) write(faultLines(report));
      if (report.trace) write(chalk.dim(`       trace: ${report.trace}`));
      if (report.verdict === 'fail') write(violationLines(report));
      if (report.error) write(chalk.red(`  the system under test failed:\n${indent(report.error.stack ?? report.error.message)}`));
    },
    onEnd(reports) {
      const failed = reports.filter((report) => report.verdict === 'fail').length;
      const crashed = reports.filter((report) => report.verdict === 'error').length;
      const passed = reports.length - failed - crashed;
      const parts = [chalk.green(`${passed} passed`), failed > 0 ? chalk.red(`${failed} failed`) : `${failed} failed`];
      if (crashed > 0) parts.push(chalk.red(`${crashed} crashed`));
      write(`\n${parts.join(', ')} (${reports.length} cases)`);
    },
  };
}

function caseLine(report: CaseReport): string {
  const badge = { pass: chalk.bgGreen.black(' PASS '), fail: chalk.bgRed.white(' FAIL '), error: chalk.bgMagenta.white(' ERROR ') }[
    report.verdict
  ];
  const { counts } = report;
  const facts = [
    `${counts.devices} devices`,
    `${counts.writes} writes`,
    `${counts.conflicts} conflicts`,
    `${counts.syncRequests} syncs`,
    `${clockTime(report.simulatedMs)} simulated`,
    `${(report.wallMs / 1000).toFixed(2)}s wall`,
    `hash ${report.eventLogHash}`,
  ];
  if (!report.quiesced) facts.push(chalk.yellow('did not quiesce'));
  return `${badge} ${chalk.bold(report.scenario)} seed ${report.seed}  ${chalk.dim(facts.join(' · '))}\n       ${chalk.dim('replay:')} ${report.replay}`;
}

/** The drawn faults, one per line: when, how long, what kind, on whom, with which parameters. */
function faultLines(report: CaseReport): string {
  if (report.drawnFaults.length === 0) return chalk.dim('       faults drawn: none');
  const lines = report.drawnFaults.map(({ atMs, forMs, spec }) => {
    const { kind, ...parameters } = spec;
    const span = forMs === undefined ? '' : ` for ${clockTime(forMs)}`;
    const shown = Object.entries(parameters).map(([name, value]) => `${name}=${Array.isArray(value) ? value.join(',') : typeof value === 'number' ? round(value) : value}`);
    return `         ${clockTime(atMs).padStart(8)}${span.padEnd(12)} ${kind} ${shown.join(' ')}`;
  });
  return chalk.dim(['       faults drawn:', ...lines].join('\n'));
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

function violationLines(report: CaseReport): string {
  const shown = report.violations.slice(0, VIOLATIONS_SHOWN).map((violation) => `  ${chalk.red('✗')} [${violation.checker}] ${violation.summary}`);
  const hidden = report.violations.length - shown.length;
  if (hidden > 0) shown.push(chalk.dim(`  … and ${hidden} more`));
  return shown.join('\n');
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
