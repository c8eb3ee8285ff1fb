// Root cause first: the one rule that orders a case's violations so that a reader meets the cause
// before its symptoms. It is a judgement over checker results, so it lives here, beside the checkers;
// every reporter and `shrink` read the same data from it (docs/checkers.md, "Root cause first").
import type { Violation } from './types.ts';

/**
 * The checkers from cause to consequence. A lost, resurrected, duplicated or forgotten write is a
 * cause; what a user saw go wrong on a device comes next; the end state disagreeing (divergence), a
 * dangling reference (integrity), a queue that never drained (liveness) and the battery follow from
 * those. A checker not named here ranks after all of them.
 */
export const CAUSE_ORDER: readonly string[] = [
  'lost-write',
  'resurrection',
  'duplicate',
  'durability',
  'honest-status',
  'read-your-writes',
  'monotonic-reads',
  'writes-follow-reads',
  'divergence',
  'integrity',
  'liveness',
  'retry-budget',
  'determinism',
];

/** One record's violations: the primary one (its cause) and the rest, which it explains. */
export interface CauseGroup {
  /** The record the group is about; absent for a violation about no record (a device that never drained). */
  record?: { entity: string; id: string };
  primary: Violation;
  /** The group's other violations, in the same order as the groups. */
  consequences: Violation[];
}

export interface CheckerCount {
  checker: string;
  violations: number;
}

/** A case's violations, root cause first. */
export interface CaseCauses {
  /** Violations per checker, in CAUSE_ORDER. */
  byChecker: CheckerCount[];
  /** How many distinct records the violations concern (the records they are about and the ones they point at). */
  recordsAffected: number;
  groups: CauseGroup[];
}

/**
 * The rule:
 * 1. each violation is filed under a record: the one a dangling reference points at (`refersTo`, the
 *    missing folder), else the one it is about; a violation about no record is a group of its own;
 * 2. a group's primary violation is its highest-ranked one (CAUSE_ORDER), the earliest reported on a tie;
 *    the others are its consequences, ordered the same way;
 * 3. groups are ordered by their primary's rank, then by when the primary's first write was made,
 *    then as the checkers reported them.
 */
export function causesOf(violations: readonly Violation[]): CaseCauses {
  const ranked = violations.map((violation, index) => ({ violation, index, rank: rankOf(violation.checker) })).sort(byRankThenReport);
  const filed = new Map<string, typeof ranked>();
  const alone: (typeof ranked)[] = [];
  for (const entry of ranked) {
    const record = fileUnder(entry.violation);
    if (!record) alone.push([entry]);
    else filed.set(recordKey(record), [...(filed.get(recordKey(record)) ?? []), entry]);
  }
  const groups = [...filed.values(), ...alone]
    .sort((a, b) => compareGroups(a[0] as Ranked, b[0] as Ranked))
    .map(([primary, ...rest]) => {
      const record = fileUnder((primary as Ranked).violation);
      return { ...(record && { record }), primary: (primary as Ranked).violation, consequences: rest.map((entry) => entry.violation) };
    });
  const counts = new Map<string, number>();
  for (const { violation } of ranked) counts.set(violation.checker, (counts.get(violation.checker) ?? 0) + 1);
  const records = new Set(violations.flatMap((violation) => [violation.record, violation.refersTo].flatMap((record) => (record ? [recordKey(record)] : []))));
  return { byChecker: [...counts].map(([checker, count]) => ({ checker, violations: count })), recordsAffected: records.size, groups };
}

/** The violation a case is about: the primary violation of its first group (what `shrink` keeps). */
export function rootCause(violations: readonly Violation[]): Violation | undefined {
  return causesOf(violations).groups[0]?.primary;
}

interface Ranked {
  violation: Violation;
  index: number;
  rank: number;
}

function rankOf(checker: string): number {
  const rank = CAUSE_ORDER.indexOf(checker);
  return rank === -1 ? CAUSE_ORDER.length : rank;
}

function byRankThenReport(a: Ranked, b: Ranked): number {
  return a.rank - b.rank || a.index - b.index;
}

function compareGroups(a: Ranked, b: Ranked): number {
  return a.rank - b.rank || firstWriteMs(a.violation) - firstWriteMs(b.violation) || a.index - b.index;
}

function firstWriteMs(violation: Violation): number {
  return Math.min(Number.POSITIVE_INFINITY, ...(violation.writes ?? []).map((write) => write.atMs));
}

function fileUnder(violation: Violation): { entity: string; id: string } | undefined {
  return violation.refersTo ?? violation.record;
}

function recordKey(record: { entity: string; id: string }): string {
  return `${record.entity}\u0000${record.id}`;
}
