// One judgement per write (DESIGN §7): every acknowledged write, field by field, against the server's
// final state and the causality DAG: final, superseded, kept, surfaced, wiped, or lost (reinstall, overwritten,
// silent, regressed, vanished). lost-write reports the losses, liveness the ones that never reached the server.
import type { ServerRecord } from '../adapter.ts';
import { isToken } from '../history/tokens.ts';
import { tokenFields, type Causality, type Write } from './causality.ts';
import { causalityOf, historyIndexOf } from './history-index.ts';
import { loggedConflictTokens, recordNotices } from './evidence.ts';
import type { CheckInput } from './types.ts';

export type WriteClass = 'final' | 'superseded' | 'surfaced' | 'wiped' | 'reinstall' | 'kept' | 'overwritten' | 'silent' | 'regressed' | 'vanished';

/** The classes that are data loss; `overwritten` and `reinstall` are ones unless the scenario allows them. */
export const LOSSES: ReadonlySet<WriteClass> = new Set(['reinstall', 'overwritten', 'silent', 'regressed', 'vanished']);

export interface Classified {
  write: Write;
  field: string;
  class: WriteClass;
  /** The write whose value (or delete) won, where one did. */
  winner?: Write;
}

const classifiedOf = new WeakMap<CheckInput, Classified[]>();

/** Classifies every acknowledged write field by field against the server's final state; once per input, for every checker and the summary. */
export function classifyWrites(input: CheckInput): Classified[] {
  let classified = classifiedOf.get(input);
  if (!classified) {
    classified = classify(input);
    classifiedOf.set(input, classified);
  }
  return classified;
}

function classify(input: CheckInput): Classified[] {
  const causality = causalityOf(input.events);
  const judge = new Judge(input, causality);
  const classified: Classified[] = [];
  for (const write of causality.writes) {
    if (write.outcome !== 'ok' || !write.token || !write.id) continue;
    for (const field of tokenFields(write)) classified.push({ write, field, ...judge.classify(write, field) });
  }
  return classified;
}

class Judge {
  private readonly server: Map<string, ServerRecord>;
  private readonly logged: ReadonlyMap<string, number>;
  private readonly kept = new Set<string>();
  private readonly failed = new Set<string>();
  private readonly rejected: ReturnType<typeof recordNotices>;
  /** Whether the history holds every version the server committed: an external server's change feed may leave some out, or report none. */
  private readonly commitLog: boolean;

  constructor(
    input: CheckInput,
    private readonly causality: Causality,
  ) {
    this.server = new Map(input.server.map((record) => [record.id, record]));
    // a tombstone the server pruned (tombstone_retention) is still the record's last word: its first commit stands in for it
    for (const [id, event] of historyIndexOf(input.events).firstTombstones) {
      if (!this.server.has(id)) this.server.set(id, { entity: event.entity, id, fields: event.fields, version: event.version, deleted: true });
    }
    this.logged = loggedConflictTokens(input.events);
    this.commitLog = input.commitLog !== false;
    this.rejected = recordNotices(input.events, ['change-rejected']);
    for (const device of input.devices) {
      for (const conflict of device.conflicts ?? []) {
        for (const value of [...Object.values(conflict.local), ...Object.values(conflict.server)]) if (isToken(value)) this.kept.add(value);
      }
      for (const record of device.records) if (record.status === 'failed') this.failed.add(`${device.deviceId}\u0000${record.id}`);
    }
  }

  classify(write: Write, field: string): Omit<Classified, 'write' | 'field'> {
    const token = write.token as string;
    const id = write.id as string;
    if (this.failed.has(`${write.device}\u0000${id}`) || this.rejected(write.device, id, write.atMs)) return { class: 'surfaced' };
    if (this.causality.lostToReinstall(write)) return { class: 'reinstall' };
    if (this.causality.wipedByRestore(write)) return { class: 'wiped' };
    const final = this.server.get(id);
    const deleteThatSaw = this.deleteThatSaw(write, field, (outcome) => outcome !== 'fail');
    if (!final || final.deleted) {
      if (deleteThatSaw) return { class: 'superseded', winner: deleteThatSaw };
      if (!final) return { class: 'vanished' };
      const winner = this.causality.writesTo(id).find((other) => other.f === 'delete' && other.outcome !== 'fail');
      if (!winner) return { class: 'vanished' };
      return { class: this.concurrentLoss(token, field), winner };
    }
    const value = final.fields[field];
    if (value === token) return { class: 'final' };
    if (!isToken(value) || !this.causality.writeOf(value)) return { class: 'vanished' };
    const finalWrite = this.causality.writeOf(value) as Write;
    if (this.causality.includes(value, token, field)) return { class: 'superseded', winner: finalWrite };
    if (this.olderStateWon(write, field, value)) {
      const kept = this.causality.firstCommitMs.has(token) ? finalWrite : this.causality.writeOf(this.causality.parents(token, field)[0] ?? '');
      return { class: 'regressed', winner: kept ?? finalWrite };
    }
    // the user saw this value and deleted the record: whatever became of that delete is resurrection's to judge
    const acknowledgedDelete = this.deleteThatSaw(write, field, (outcome) => outcome === 'ok');
    if (acknowledgedDelete) return { class: 'superseded', winner: acknowledgedDelete };
    return { class: this.concurrentLoss(token, field), winner: this.competitor(value, token, field) ?? finalWrite };
  }

  /**
   * Older state won: the server held this write and went back to a version it was made over, or it
   * turned the write down when no change the user had not seen had reached the record by then (the
   * loss is dated by the first logged conflict naming it): LWW by a drifted clock, a stale re-upload.
   * Only a full commit log proves that no concurrent change had reached it: an external server's may lack them.
   */
  private olderStateWon(write: Write, field: string, value: string): boolean {
    const token = write.token as string;
    if (this.causality.firstCommitMs.has(token)) return this.causality.ancestors(token, field).has(value);
    return this.commitLog && !this.causality.metConcurrentChange(write, this.logged.get(token));
  }

  /** The earliest write in the final value's ancestry that is concurrent with `token`: the one that displaced it. */
  private competitor(value: string, token: string, field: string): Write | undefined {
    const mine = this.causality.ancestors(token, field);
    return [value, ...this.causality.ancestors(value, field)]
      .filter((candidate) => !mine.has(candidate) && !this.causality.includes(candidate, token, field))
      .map((candidate) => this.causality.writeOf(candidate))
      .filter((write): write is Write => write !== undefined)
      .sort((a, b) => a.atMs - b.atMs)[0];
  }

  /** A delete of the write's record, with an outcome `counts` takes, made by a user who saw the write (or a value built on it) in `field`. */
  private deleteThatSaw(write: Write, field: string, counts: (outcome: Write['outcome']) => boolean): Write | undefined {
    return this.causality.writesTo(write.id as string).find((other) => other.f === 'delete' && counts(other.outcome) && this.sawIn(other, field, write.token as string));
  }

  /** Whether `other` saw `token` (or a value descending from it) in `field`. */
  private sawIn(other: Write, field: string, token: string): boolean {
    return other.seen.some((version) => this.causality.includes(version[field], token, field));
  }

  /** A losing branch is accounted for when a conflict copy or log holds the write's value or a later one built on it. */
  private concurrentLoss(token: string, field: string): WriteClass {
    const holds = (values: Iterable<string>) => [...values].some((value) => this.causality.includes(value, token, field));
    if (holds(this.kept)) return 'kept';
    return holds(this.logged.keys()) ? 'overwritten' : 'silent';
  }
}

