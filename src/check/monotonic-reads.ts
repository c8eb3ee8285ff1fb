// Monotonic reads: a device never shows a field going back to an ancestor of a value it has already
// shown (a note flickering back to an older text after a sync). Switching to a concurrent value, or back
// under a logged conflict, is a conflict's business, judged by the lost-write checker; a restore resets it,
// and the device's own delete of the record too (what it comes back with is the version that beat the delete).
import { type Write } from './causality.ts';
import { faultsDuring } from '../history/fault-spans.ts';
import { writeRef } from './evidence.ts';
import { conflictLog, shownTokens } from './reads.ts';
import { CausalFold, foldingChecker } from './fold.ts';
import type { HistoryEvent } from '../history/events.ts';
import type { CheckInput } from './types.ts';
import { clockTime } from '../history/clock-time.ts';

export const checkMonotonicReads = foldingChecker((input) => new MonotonicReadsFold(input));

class MonotonicReadsFold extends CausalFold {
  private readonly replaced;
  /** Per device, the newest value shown of each record (by id) and field, and when. */
  private readonly newest = new Map<string, Map<string, FieldsShown>>();

  constructor(input: CheckInput) {
    super(input);
    this.replaced = conflictLog(input.events, this.causality);
  }

  take(event: HistoryEvent): void {
    const { causality, spans, replaced, newest, violations } = this;
    if (event.type === 'restore') newest.delete(event.process);
    // the device's own delete is its latest word on the record, as in read-your-writes: whatever it shows of it later starts afresh
    if (event.type === 'ok' && event.f === 'delete') {
      const id = causality.writeAt(event.process, event.op)?.id;
      if (id) newest.get(event.process)?.delete(id);
    }
    if (event.type !== 'read') return;
    const shown = newest.get(event.process) ?? new Map<string, FieldsShown>();
    newest.set(event.process, shown);
    for (const record of event.records) {
      // the id and tokens as the writes hold them, which every device's reads share, rather than this read's copies
      const id = causality.writesTo(record.id)[0]?.id ?? record.id;
      let seen = shown.get(id) ?? [];
      for (const [field, shownToken] of shownTokens(record.fields)) {
        const token = causality.writeOf(shownToken)?.token ?? shownToken;
        const place = placeOf(seen, field);
        const before = place === -1 ? undefined : { token: seen[place + 1] as string, atMs: seen[place + 2] as number };
        // a logged conflict that threw out the device's own edit steps back on purpose, and says so
        const stepBack = before && causality.ancestors(before.token, field).has(token);
        if (before && stepBack && !replaced(before.token, field, event.t, event.process) && !this.wasRefused(before.token, record.id)) {
          const writes = [causality.writeOf(token), causality.writeOf(before.token)].filter((write): write is Write => write !== undefined);
          violations.push({
            checker: 'monotonic-reads',
            summary: `${record.entity} ${record.id} field ${field} on ${event.process} went back from ${before.token} (shown at ${clockTime(before.atMs)}) to its ancestor ${token} (at ${clockTime(event.t)})`,
            record: { entity: record.entity, id: record.id },
            device: event.process,
            writes: writes.map((write) => writeRef(write, field)),
            faults: faultsDuring(spans, before.atMs, event.t),
          });
        }
        // a copy the size of its entries (a push would leave room for a dozen more)
        if (!before) seen = seen.concat(field, token, event.t);
        else if (before.token !== token) {
          seen[place + 1] = token;
          seen[place + 2] = event.t;
        }
      }
      shown.set(id, seen);
    }
  }

  /** A value the server refused and the app said so: stepping back from it is the refusal, surfaced. */
  private wasRefused(token: string, id: string): boolean {
    const write = this.causality.writeOf(token);
    return write !== undefined && this.refused(write.device, id, write.atMs);
  }
}

/**
 * The newest value a device showed of each field of one record, and when, as `field, token, atMs` in turn: a record
 * shows a few fields, and one small array per record and device holds them in a fraction of a Map's memory.
 */
type FieldsShown = (string | number)[];

/** Where `field`'s entry starts in `fields`, or -1. */
function placeOf(fields: FieldsShown, field: string): number {
  for (let place = 0; place < fields.length; place += 3) if (fields[place] === field) return place;
  return -1;
}
