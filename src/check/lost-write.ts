// Lost writes, as DESIGN §7 classifies them: every acknowledged write whose value is not the final
// one is superseded (fine), kept in a reachable conflict (fine), overwritten (a logged conflict; fine
// only where the scenario allows it), silent, regressed or vanished (always violations).
import type { ServerRecord } from '../adapter.ts';
import { clockTime } from '../history/clock-time.ts';
import { isToken } from '../history/tokens.ts';
import { causalityOf, tokenFields, type Causality, type Write } from './causality.ts';
import { faultsDuring, type FaultSpan } from '../history/fault-spans.ts';
import { describeWrite, loggedConflictTokens, recordNotices, writeRef } from './evidence.ts';
import type { CheckInput, CheckResult, Violation } from './types.ts';

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

/** Classifies every acknowledged write field by field against the server's final state; once per input, for the checker and the summary. */
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

export function checkLostWrite(input: CheckInput): CheckResult {
  const allowed = new Set(input.allow ?? []);
  const spans = input.faultSpans;
  const lastCommitMs = lastCommitTimes(input);
  const violations = classifyWrites(input)
    .filter((entry) => LOSSES.has(entry.class) && !allowed.has(entry.class))
    .map((entry) => violation(entry, spans, lastCommitMs.get(entry.write.id as string), replacementOf(input, entry)));
  return { valid: violations.length === 0, violations };
}

class Judge {
  private readonly server: Map<string, ServerRecord>;
  private readonly logged: Map<string, number>;
  private readonly kept = new Set<string>();
  private readonly failed = new Set<string>();
  private readonly rejected: ReturnType<typeof recordNotices>;

  constructor(
    input: CheckInput,
    private readonly causality: Causality,
  ) {
    this.server = new Map(input.server.map((record) => [record.id, record]));
    this.logged = loggedConflictTokens(input.events);
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
    const deleteThatSaw = this.causality.writesTo(id).find((other) => other.f === 'delete' && other.outcome !== 'fail' && this.sawIn(other, field, token));
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
    return { class: this.concurrentLoss(token, field), winner: this.competitor(value, token, field) ?? finalWrite };
  }

  /**
   * Older state won: the server held this write and went back to a version it was made over, or it
   * turned the write down when no change the user had not seen had reached the record by then (the
   * loss is dated by the first logged conflict naming it): LWW by a drifted clock, a stale re-upload.
   */
  private olderStateWon(write: Write, field: string, value: string): boolean {
    const token = write.token as string;
    if (this.causality.firstCommitMs.has(token)) return this.causality.ancestors(token, field).has(value);
    return !this.causality.metConcurrentChange(write, this.logged.get(token));
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

const EXPLANATIONS: Record<string, string> = {
  reinstall: 'the app was deleted and installed again before the write reached the server, and this scenario\'s `allow:` does not accept writes lost that way (`allow: [reinstall]` does)',
  overwritten: 'a concurrent change won; the conflict was logged but the value is gone, and this scenario\'s `allow:` does not accept logged overwrites (`allow: [overwritten]` does, for a policy that settles concurrent edits by keeping one side)',
  silent: 'a concurrent change won and nothing recorded a conflict',
  regressed: 'an older version this write was made over won: the server went back, or kept it against no concurrent change',
  vanished: 'no write or delete explains its disappearance',
};

function violation(entry: Classified, spans: readonly FaultSpan[], lastCommitMs: number | undefined, replaced: Replacement | undefined): Violation {
  const { write, field, winner } = entry;
  const involved = [write, ...(winner ? [winner] : []), ...(replaced?.by && replaced.by !== winner ? [replaced.by] : [])].sort((a, b) => a.atMs - b.atMs);
  const fromMs = Math.min(...involved.map((each) => each.atMs));
  const toMs = Math.max(lastCommitMs ?? 0, ...involved.map((each) => each.doneMs ?? each.atMs));
  const won = !winner ? '' : replaced ? `; ${replacedWords(write.device, replaced)}, before ${describeWrite(winner)}` : `; ${entry.class === 'regressed' ? 'the server went back to' : 'it lost to'} ${describeWrite(winner)}`;
  return {
    checker: 'lost-write',
    kind: entry.class,
    summary: `${entry.class}: ${write.entity ?? 'record'} ${write.id} field ${field}: ${describeWrite(write)} is lost${won} — ${EXPLANATIONS[entry.class]}`,
    record: { entity: write.entity ?? 'record', id: write.id as string },
    device: write.device,
    writes: involved.map((each) => writeRef(each, each.f === 'delete' ? undefined : field)),
    faults: faultsDuring(spans, fromMs, toMs),
  };
}

/** Where the writer's own device replaced the write at a sync, before the named winner could have reached it. */
interface Replacement {
  /** The read that first showed the field without the write. */
  shownMs: number;
  /** What it showed instead: a token, or nothing when the record was gone. */
  shown?: string;
  /** The write that produced what it showed, if a user's did. */
  by?: Write;
  /** The answers the device got from the server since its last read that still showed the write. */
  answers: { atMs: number; label: string }[];
}

/**
 * The evidence that a sync, not the named winner, took the write away: the writer's device showed the
 * field without it (a look after the save) before the winner reached the server (a write of another
 * device, committed later or never). Only the message changes with it, never the class.
 */
function replacementOf(input: CheckInput, entry: Classified): Replacement | undefined {
  const { write, field, winner } = entry;
  if (!winner || winner.device === write.device || entry.class === 'regressed') return undefined;
  const causality = causalityOf(input.events);
  const untilMs = winner.committedMs ?? Number.POSITIVE_INFINITY;
  let answers: Replacement['answers'] = [];
  for (const event of input.events) {
    if (event.t < (write.doneMs ?? write.atMs)) continue;
    if (event.t >= untilMs) return undefined;
    if (event.type === 'message' && event.link === write.device && event.direction === 'to-device' && event.fate === 'delivered') answers.push({ atMs: event.t, label: event.label });
    if (event.type !== 'read' || event.process !== write.device) continue;
    const record = event.records.find((each) => each.id === write.id);
    const gone = event.at === 'boot' ? !record : (event.removed ?? []).includes(write.id as string);
    const value = record?.fields[field];
    // a launch that lost it is durability's to judge; a look that still shows it (or does not mention the record) keeps it
    if (event.at === 'boot' && gone) return undefined;
    if (!gone && (!record || causality.includes(value, write.token as string, field))) {
      answers = [];
      continue;
    }
    const shown = typeof value === 'string' && isToken(value) ? value : undefined;
    const by = shown === undefined ? undefined : causality.writeOf(shown);
    return { shownMs: event.t, ...(shown && { shown }), ...(by && { by }), answers };
  }
  return undefined;
}

/** `a sync replaced it on d2 with t:d3:w2: d2 showed that at 1m25s, after the answers 200 /v1/push at 1m25s, 200 /v1/pull at 1m25s`. */
function replacedWords(device: string, replaced: Replacement): string {
  const answers = replaced.answers.slice(-3).map(({ atMs, label }) => `${label} at ${clockTime(atMs)}`);
  const after = answers.length === 0 ? '' : `, after the answer${answers.length === 1 ? '' : 's'} ${answers.join(', ')}`;
  const withWhat = replaced.shown ? ` with ${replaced.shown}` : '';
  return `a sync replaced it on ${device}${withWhat}: ${device} showed ${replaced.shown ? 'that' : 'the record gone'} at ${clockTime(replaced.shownMs)}${after}`;
}

function lastCommitTimes(input: CheckInput): Map<string, number> {
  const times = new Map<string, number>();
  for (const event of input.events) if (event.type === 'commit') times.set(event.id, event.t);
  return times;
}
