// One scenario × seed as the reporters see it: the run's verdict, counts and metrics plus what only
// the CLI knows (the file it came from, the wall time, the command that replays it). Built where
// the history is (in the worker): violation summaries are redacted here, and the timeline drawn.
import type { RunResult } from '../check/verdict.ts';
import { deriveMetrics, type CaseMetrics } from '../history/metrics.ts';
import { deriveTimeline, type CaseTimeline } from '../history/timeline.ts';
import { PUSH_PATH } from '../protocol/v1.ts';
import { foreignValues, redactViolations, writtenValues } from './redact.ts';

export interface CaseReport {
  scenario: string;
  file: string;
  seed: number;
  /** The client module `--client` named (as given, relative to where the run started), if any: what `replay` loads again. */
  client?: string;
  verdict: RunResult['verdict'];
  eventLogHash: string;
  counts: RunResult['counts'];
  metrics: CaseMetrics;
  simulatedMs: number;
  wallMs: number;
  quiesced: boolean;
  /** Each checker's verdict: true, false, or 'unknown' with the reason it could not decide. */
  checks: Record<string, { valid: boolean | 'unknown'; error?: string }>;
  /** Quoted values the simulated users did not write appear as `sha256:…` hashes unless the run had `--show-payloads`. */
  violations: RunResult['violations'];
  /** Violations the baseline file holds as known (`--baseline`): reported, and they do not fail the case. */
  knownViolations?: RunResult['violations'];
  /** Jepsen-style counts and the save-to-ack latency; absent when the run crashed. */
  summary?: RunResult['summary'];
  error?: RunResult['error'];
  /** The faults the nemesis drew for this seed, with their parameters. */
  drawnFaults: RunResult['drawnFaults'];
  /** Whether the fault parameters were drawn from the seed (swarm testing): then the console prints them. */
  swarm: boolean;
  /** The scenario's chaos phase (`duration`), ms: a drawn fault that outlasts it heals with it (absent from older reports). */
  chaosMs?: number;
  /** Where `--trace` wrote the event log. */
  trace?: string;
  /** What the run noticed about the setup, said once by the console (absent when nothing). */
  warnings?: string[];
  replay: string;
  /** For the HTML report only (never in report.json): what happened when, per device. */
  timeline?: CaseTimeline;
}

/** Shapes a run's result for the reporters, in the order a reader wants the facts. */
export function toCaseReport(
  result: RunResult,
  where: { scenario: string; file: string; client: string | undefined; wallMs: number; swarm: boolean; chaosMs: number; showPayloads: boolean; timeline: boolean; trace: string | undefined; replay: string },
): CaseReport {
  const { events } = result.history;
  const timeline = deriveTimeline(events, PUSH_PATH, result.faultSpans);
  return {
    scenario: where.scenario,
    file: where.file,
    seed: result.seed,
    ...(where.client && { client: where.client }),
    verdict: result.verdict,
    eventLogHash: result.eventLogHash,
    counts: result.counts,
    metrics: deriveMetrics(events, timeline),
    simulatedMs: result.simulatedMs,
    wallMs: where.wallMs,
    quiesced: result.quiesced,
    checks: Object.fromEntries(Object.entries(result.checks).map(([name, { valid, error }]) => [name, { valid, ...(error && { error }) }])),
    violations: where.showPayloads ? result.violations : redacted(result),
    ...(result.summary && { summary: result.summary }),
    ...(result.error && { error: result.error }),
    drawnFaults: result.drawnFaults,
    swarm: where.swarm,
    chaosMs: where.chaosMs,
    ...(where.trace && { trace: where.trace }),
    ...(result.warnings.length > 0 && { warnings: result.warnings }),
    replay: where.replay,
    ...(where.timeline && { timeline }),
  };
}

/**
 * Why the run ended: every planned case ran (`done`); SIGINT stopped it after the cases that were
 * running (`interrupted`); the time budget was spent (`budget`); the `--stop-after` count of failing
 * cases was reached (`stop-after`); a case crashed the tool (`crash`, exit 3). The reports hold the
 * cases that finished, in seed order.
 */
export type RunEndReason = 'done' | 'interrupted' | 'budget' | 'stop-after' | 'crash';

/** How the run ended, besides its cases. */
export interface RunEnd {
  reason: RunEndReason;
  /** How many cases the run was asked for. */
  planned: number;
  /** What the run made of its baseline of known violations, when it had one. */
  baseline?: BaselineOutcome;
}

/** One kind of known violation and how many of it the baseline accepts over the seeds of a run. */
export interface BaselineEntry {
  scenario: string;
  checker: string;
  signature: string;
  count: number;
}

/** What a run made of its baseline: for report.json, the console and summary.md. */
export interface BaselineOutcome {
  file: string;
  /** Violations found that the baseline holds: reported, not failing. */
  known: number;
  /** Violations found beyond the baseline's counts: they fail the run. */
  new: number;
  /** Baseline entries of the scenarios that ran that no case found any more (absent when the run did not finish: it proves nothing about them). */
  fixed?: BaselineEntry[];
  /** `--update-baseline` rewrote the file with what this run found. */
  updated: boolean;
}

/** A case the run means to run, before it has: which scenario file, which seed. */
export interface PlannedCase {
  file: string;
  seed: number;
}

/** The violations with every value the simulated users did not write shown as a hash. */
function redacted(result: RunResult): RunResult['violations'] {
  const { events } = result.history;
  const known = writtenValues(events);
  const held = [...(result.finalStates?.devices.flatMap((device) => device.records) ?? []), ...(result.finalStates?.server ?? [])];
  return redactViolations(result.violations, known, foreignValues(events, held, known));
}

/** What a reporter may hear of a run, vitest-style: every hook is optional, each is called in this order. */
export interface Reporter {
  /** Before any case runs, with every case planned, in seed order. */
  onRunStart?(planned: readonly PlannedCase[]): void;
  /** SIGINT: no more cases are handed out; the running ones still finish and are reported. */
  onInterrupt?(): void;
  /** Each case as soon as it finishes, in whatever order the workers finish them. */
  onCaseSettled?(report: CaseReport): void;
  /** Each case in seed order, once every case before it is reported. */
  onCase?(report: CaseReport): void;
  /** After the last case, with every case reported and why the run ended. */
  onRunEnd?(reports: readonly CaseReport[], end: RunEnd): void;
}

/** The same seed did not give the same run: `replay` could not reproduce a report, or `--check-determinism` saw two event logs differ. */
export const EXIT_NOT_REPRODUCIBLE = 4;

/** The exit code a set of cases earns: 3 if anything crashed, 4 if a case was not deterministic, 1 on any other violation, else 0. */
export function exitCodeOf(reports: readonly CaseReport[]): 0 | 1 | 3 | 4 {
  if (reports.some((report) => report.verdict === 'error')) return 3;
  if (reports.some((report) => report.checks['determinism']?.valid === false)) return EXIT_NOT_REPRODUCIBLE;
  return reports.some((report) => report.verdict === 'fail') ? 1 : 0;
}
