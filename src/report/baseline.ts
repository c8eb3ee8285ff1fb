// The baseline of known violations (`sync-chaos.baseline.json`, which a team commits), in the manner
// of lint baselines: each violation keyed by scenario, checker and a signature that names its kind,
// record type and the shape of its writes and faults, never record ids, tokens or times, so the key
// survives a rerun after an unrelated change. Known ones are counted (a multiset): 3 known and 4 found is 1 new.
import { existsSync, readFileSync } from 'node:fs';
import { BadInputError } from '../errors.ts';
import { writeFileAtomic } from './atomic.ts';
import type { BaselineEntry, BaselineOutcome, CaseReport } from './case.ts';

export const DEFAULT_BASELINE_FILE = 'sync-chaos.baseline.json';
const BASELINE_VERSION = 1;

type Violation = CaseReport['violations'][number];

export interface BaselineFile {
  version: typeof BASELINE_VERSION;
  known: BaselineEntry[];
}

/** The key of a violation that does not change with record ids, tokens, devices or times: checker/kind, record type, writes and faults by shape. */
export function violationSignature(violation: Violation): string {
  const parts = [violation.kind === undefined ? violation.checker : `${violation.checker}/${violation.kind}`];
  if (violation.record) parts.push(violation.record.entity);
  if (violation.writes?.length) parts.push(`writes ${violation.writes.map((write) => `${write.f}${write.field ? ` ${write.field}` : ''} ${write.outcome}`).join(', ')}`);
  const faults = [...new Set((violation.faults ?? []).map((fault) => (fault.mode ? `${fault.kind} ${fault.mode}` : fault.kind)))].sort();
  if (faults.length > 0) parts.push(`faults ${faults.join(', ')}`);
  return parts.join(' · ');
}

/** The baseline at `path`, or an empty one when `optional` and there is none; a file that is not one is bad input. */
export function readBaseline(path: string, optional: boolean): BaselineFile | undefined {
  if (!existsSync(path)) {
    if (optional) return undefined;
    throw new BadInputError(`${path}: baseline file not found (write one with \`sync-chaos run --update-baseline\`)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new BadInputError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  const problem = baselineProblem(parsed);
  if (problem) throw new BadInputError(`${path}: not a sync-chaos baseline (${problem}); rewrite it with \`sync-chaos run --update-baseline\``);
  return parsed as BaselineFile;
}

function baselineProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected a JSON object';
  const { version, known } = value as Record<string, unknown>;
  if (version !== BASELINE_VERSION) return `expected "version": ${BASELINE_VERSION}, found ${JSON.stringify(version)}`;
  if (!Array.isArray(known)) return 'expected "known" to be a list';
  const bad = known.findIndex(
    (entry: Record<string, unknown>) =>
      typeof entry !== 'object' ||
      entry === null ||
      !['scenario', 'checker', 'signature'].every((key) => typeof entry[key] === 'string') ||
      !Number.isInteger(entry['count']) ||
      (entry['count'] as number) < 1,
  );
  return bad === -1 ? undefined : `known[${bad}]: expected { scenario, checker, signature, count >= 1 }`;
}

/** Writes the baseline atomically, its entries sorted, so the committed file changes only where the findings do. */
export function writeBaseline(path: string, entries: readonly BaselineEntry[]): void {
  const known = [...entries].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  writeFileAtomic(path, JSON.stringify({ version: BASELINE_VERSION, known } satisfies BaselineFile, null, 2) + '\n');
}

function keyOf(entry: Pick<BaselineEntry, 'scenario' | 'checker' | 'signature'>): string {
  return JSON.stringify([entry.scenario, entry.checker, entry.signature]);
}

/**
 * Sorts each case's violations, in seed order, into known (the baseline still has one of that key
 * left to give) and new. With `acceptAll` (`--update-baseline`) every violation is known, and what
 * was found becomes the new baseline. The determinism check is never baselined: it is the tool's promise.
 */
export class BaselineMatcher {
  private readonly previous: readonly BaselineEntry[];
  private readonly remaining = new Map<string, BaselineEntry>();
  private readonly found = new Map<string, BaselineEntry>();
  private readonly scenarios = new Set<string>();
  private known = 0;
  private fresh = 0;

  constructor(
    private readonly file: string,
    baseline: BaselineFile | undefined,
    private readonly acceptAll: boolean,
  ) {
    this.previous = baseline?.known ?? [];
    for (const entry of this.previous) {
      const key = keyOf(entry);
      this.remaining.set(key, { ...entry, count: (this.remaining.get(key)?.count ?? 0) + entry.count });
    }
  }

  /** The case with its known violations moved to `knownViolations`; a case left with none (and no checker undecided) passes. */
  apply(report: CaseReport): CaseReport {
    this.scenarios.add(report.scenario);
    const known: Violation[] = [];
    const fresh: Violation[] = [];
    for (const violation of report.violations) {
      if (violation.checker === 'determinism') {
        fresh.push(violation);
        continue;
      }
      const entry = { scenario: report.scenario, checker: violation.checker, signature: violationSignature(violation), count: 1 };
      const key = keyOf(entry);
      this.found.set(key, { ...entry, count: (this.found.get(key)?.count ?? 0) + 1 });
      const left = this.remaining.get(key);
      if (this.acceptAll || (left !== undefined && left.count > 0)) {
        if (left) left.count--;
        known.push(violation);
      } else {
        fresh.push(violation);
      }
    }
    this.known += known.length;
    this.fresh += fresh.length;
    if (known.length === 0) return report;
    const undecided = Object.values(report.checks).some((check) => check.valid === 'unknown');
    const verdict = report.verdict === 'fail' && fresh.length === 0 && !undecided ? 'pass' : report.verdict;
    return { ...report, verdict, violations: fresh, knownViolations: known };
  }

  /**
   * After the last case: the counts, the entries no case used up (when the run finished), and, when
   * asked, the new baseline: what was found, plus the old entries of scenarios this run did not run.
   */
  finish(finished: boolean): BaselineOutcome {
    const fixed = [...this.remaining.values()].filter((entry) => entry.count > 0 && this.scenarios.has(entry.scenario));
    const updated = this.acceptAll && finished;
    if (updated) writeBaseline(this.file, [...this.found.values(), ...this.previous.filter((entry) => !this.scenarios.has(entry.scenario))]);
    return { file: this.file, known: this.known, new: this.fresh, ...(finished && { fixed }), updated };
  }
}
