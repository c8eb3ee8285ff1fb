// One pass over a run's history builds every index the checkers share: the causality oracle, the tokens
// logged conflicts name, the apps' notices per record, when each place saw a record deleted, the server's
// tombstones and last commits, the phases, and when the log ends. A long run's log, read back from disk,
// is read once for all of them instead of once per question.
import type { CommitEvent, EventLog, HistoryEvent, PhaseEvent } from '../history/events.ts';
import { tokensIn } from '../history/tokens.ts';
import { Causality } from './causality.ts';

/** Whether a device's app told of trouble with record `id` at or after `fromMs`. */
export type Noticed = (device: string, id: string, fromMs: number) => boolean;

export class HistoryIndex {
  readonly causality = new Causality();
  /** The tokens logged conflicts mention (`env.log('conflict', …)`), with when each was first named. */
  readonly loggedConflictTokens = new Map<string, number>();
  /** The same tokens, with when each device's app first named each: who owned up to a replacement, and when. */
  readonly conflictLoggers = new Map<string, Map<string, number>>();
  /** The first tombstone the server committed of each record. */
  readonly firstTombstones = new Map<string, CommitEvent>();
  /** When the server last committed each record, ms. */
  readonly lastCommitMs = new Map<string, number>();
  /** Every phase event, in order. */
  readonly phases: PhaseEvent[] = [];
  /** The simulated time of the log's last event, ms (0 for an empty log). */
  lastEventMs = 0;
  /** Per client event name, per device and record (`device␀id`): the position in the log and time of the last such notice. */
  private readonly noticesByKind = new Map<string, Map<string, { at: number; t: number }>>();
  private readonly noticedOf = new Map<string, Noticed>();
  /** When each place (a device, or `the server`) last had each record (`place␀id`) deleted, ms. */
  private readonly deletedMs = new Map<string, number>();
  /** What each device's latest read showed, by record id. */
  private readonly shownIds = new Map<string, Set<string>>();
  private position = 0;

  constructor(events: EventLog) {
    for (const event of events) this.take(event);
    this.causality.seal();
  }

  /**
   * When each device's app told of trouble with a record through its log, by any of `kinds` (`change-rejected`,
   * `conflict`): a surfaced failure is not a silent one. The latest notice of any of the kinds counts.
   */
  notices(kinds: readonly string[]): Noticed {
    const key = kinds.join('\u0000');
    const known = this.noticedOf.get(key);
    if (known) return known;
    const latest = new Map<string, { at: number; t: number }>();
    for (const kind of new Set(kinds)) {
      for (const [record, notice] of this.noticesByKind.get(kind) ?? []) {
        if ((latest.get(record)?.at ?? -1) < notice.at) latest.set(record, notice);
      }
    }
    const noticed: Noticed = (device, id, fromMs) => (latest.get(`${device}\u0000${id}`)?.t ?? Number.NEGATIVE_INFINITY) >= fromMs;
    this.noticedOf.set(key, noticed);
    return noticed;
  }

  /**
   * Whether `place` (a device, or `the server`) had record `id` deleted at or after `fromMs`: the server
   * committed its tombstone, a device's read stopped showing it.
   */
  sawDeleted(place: string, id: string, fromMs: number): boolean {
    return (this.deletedMs.get(`${place}\u0000${id}`) ?? Number.NEGATIVE_INFINITY) >= fromMs;
  }

  private take(event: HistoryEvent): void {
    this.causality.take(event);
    this.lastEventMs = event.t;
    const at = this.position++;
    if (event.type === 'client') {
      if (event.event === 'conflict') {
        for (const token of tokensIn(event.data)) {
          if (!this.loggedConflictTokens.has(token)) this.loggedConflictTokens.set(token, event.t);
          const loggers = this.conflictLoggers.get(token) ?? new Map<string, number>();
          if (!loggers.has(event.process)) loggers.set(event.process, event.t);
          this.conflictLoggers.set(token, loggers);
        }
      }
      if (typeof event.data?.id === 'string') {
        const byRecord = this.noticesByKind.get(event.event) ?? new Map<string, { at: number; t: number }>();
        this.noticesByKind.set(event.event, byRecord);
        byRecord.set(`${event.process}\u0000${event.data.id}`, { at, t: event.t });
      }
    } else if (event.type === 'commit') {
      this.lastCommitMs.set(event.id, event.t);
      if (event.deleted) {
        if (!this.firstTombstones.has(event.id)) this.firstTombstones.set(event.id, event);
        this.deletedMs.set(`the server\u0000${event.id}`, event.t);
      }
    } else if (event.type === 'phase') {
      this.phases.push(event);
    } else if (event.type === 'read') {
      this.takeRead(event.process, event.t, event.at === 'boot', event.records, event.removed ?? []);
    }
  }

  /** A launch shows everything, so what it lacks is gone; a look names what it no longer shows. */
  private takeRead(device: string, atMs: number, launch: boolean, records: readonly { id: string }[], removed: readonly string[]): void {
    const view = this.shownIds.get(device) ?? new Set<string>();
    const next = launch ? new Set(records.map((record) => record.id)) : view;
    const gone = launch ? [...view].filter((id) => !next.has(id)) : removed;
    for (const id of gone) {
      next.delete(id);
      this.deletedMs.set(`${device}\u0000${id}`, atMs);
    }
    for (const record of records) next.add(record.id);
    this.shownIds.set(device, next);
  }
}

const indexes = new WeakMap<EventLog, HistoryIndex>();

/** The shared index of a history, built in one pass however many checkers ask. */
export function historyIndexOf(events: EventLog): HistoryIndex {
  let index = indexes.get(events);
  if (!index) {
    index = new HistoryIndex(events);
    indexes.set(events, index);
  }
  return index;
}

/** The causality oracle of a history (src/check/causality.ts), built once however many checkers ask. */
export function causalityOf(events: EventLog): Causality {
  return historyIndexOf(events).causality;
}
