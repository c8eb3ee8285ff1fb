import { describe, expect, it } from 'vitest';
import { CAUSE_ORDER, causesOf, rootCause } from '../src/check/causes.ts';
import { CHECKERS, type Violation } from '../src/check/index.ts';

const folder = (id: string) => ({ entity: 'folder', id });
const note = (id: string) => ({ entity: 'note', id });
const write = (atMs: number) => ({ device: 'd2', op: 1, f: 'delete' as const, atMs, outcome: 'ok' as const });

/** As the checkers report them: symptoms first, the cause in the middle. */
const violations: Violation[] = [
  { checker: 'divergence', summary: 'folder f1 missing on d1', record: folder('f1'), device: 'd1' },
  { checker: 'divergence', summary: 'note n9 differs on d3', record: note('n9'), device: 'd3' },
  { checker: 'liveness', summary: 'd3 never drained', device: 'd3' },
  { checker: 'resurrection', summary: 'folder f2 deleted at 40s is live again', record: folder('f2'), writes: [write(40_000)] },
  { checker: 'resurrection', summary: 'folder f1 deleted at 15s is live again', record: folder('f1'), writes: [write(15_000)] },
  { checker: 'integrity', summary: 'note n1 on d2 points at folder f1', record: note('n1'), refersTo: folder('f1'), device: 'd2' },
  { checker: 'lost-write', kind: 'silent', summary: 'note n5 lost t:d1:w3', record: note('n5'), writes: [write(90_000)] },
];

describe('the root-cause rule', () => {
  it('files each violation under its record, the dangling reference under the record it points at, and one about no record alone', () => {
    const { groups } = causesOf(violations);
    expect(groups.map((group) => [group.record?.id, group.primary.summary, group.consequences.map((each) => each.summary)])).toEqual([
      ['n5', 'note n5 lost t:d1:w3', []],
      ['f1', 'folder f1 deleted at 15s is live again', ['folder f1 missing on d1', 'note n1 on d2 points at folder f1']],
      ['f2', 'folder f2 deleted at 40s is live again', []],
      ['n9', 'note n9 differs on d3', []],
      [undefined, 'd3 never drained', []],
    ]);
  });

  it('puts lost-write, resurrection, duplicate and durability before the session checks, and those before divergence, integrity and liveness', () => {
    const rank = (checker: string) => CAUSE_ORDER.indexOf(checker);
    for (const cause of ['lost-write', 'resurrection', 'duplicate', 'durability']) {
      for (const consequence of ['honest-status', 'read-your-writes', 'monotonic-reads', 'writes-follow-reads', 'divergence', 'integrity', 'liveness', 'retry-budget']) {
        expect(rank(cause), `${cause} before ${consequence}`).toBeLessThan(rank(consequence));
      }
    }
    expect(CAUSE_ORDER.slice(0, 4)).toEqual(['lost-write', 'resurrection', 'duplicate', 'durability']);
  });

  it('ranks every checker there is, and one it does not know after all of them', () => {
    expect(Object.keys(CHECKERS).filter((checker) => !CAUSE_ORDER.includes(checker))).toEqual([]);
    const { groups } = causesOf([
      { checker: 'a-new-checker', summary: 'new', record: note('n1') },
      { checker: 'retry-budget', summary: 'battery', device: 'd1' },
      { checker: 'divergence', summary: 'differs', record: note('n1') },
    ]);
    expect(groups.map((group) => [group.primary.summary, group.consequences.map((each) => each.summary)])).toEqual([
      ['differs', ['new']],
      ['battery', []],
    ]);
  });

  it('orders groups of one rank by when their primary write was made, then as the checkers reported them', () => {
    const { groups } = causesOf([
      { checker: 'resurrection', summary: 'late', record: note('a'), writes: [write(50_000)] },
      { checker: 'resurrection', summary: 'without writes', record: note('b') },
      { checker: 'resurrection', summary: 'early', record: note('c'), writes: [write(5_000)] },
      { checker: 'resurrection', summary: 'also without', record: note('d') },
    ]);
    expect(groups.map((group) => group.primary.summary)).toEqual(['early', 'late', 'without writes', 'also without']);
  });

  it('counts the violations per checker in the rule order and the records they concern, pointed-at ones included', () => {
    const { byChecker, recordsAffected } = causesOf(violations);
    expect(byChecker).toEqual([
      { checker: 'lost-write', violations: 1 },
      { checker: 'resurrection', violations: 2 },
      { checker: 'divergence', violations: 2 },
      { checker: 'integrity', violations: 1 },
      { checker: 'liveness', violations: 1 },
    ]);
    expect(recordsAffected).toBe(5);
  });

  it('names the primary violation of the first group as the root cause, and none for a case without violations', () => {
    expect(rootCause(violations)?.summary).toBe('note n5 lost t:d1:w3');
    expect(rootCause(violations.filter((violation) => violation.checker !== 'lost-write'))?.summary).toBe('folder f1 deleted at 15s is live again');
    expect(rootCause([])).toBeUndefined();
  });
});
