// Read your writes: once a device acknowledged a write, every later read on that device shows it or
// a value built on it, unless a logged conflict replaced it, a delete removed the record, the server
// refused it and the app said so, or a restored backup wiped it. An edit that flickers away is a bug.
import { tokenFields, type Write } from './causality.ts';
import { faultsDuring } from '../history/fault-spans.ts';
import { describeWrite, writeRef } from './evidence.ts';
import { conflictLog, shownViews } from './reads.ts';
import { CausalFold, foldingChecker } from './fold.ts';
import type { HistoryEvent } from '../history/events.ts';
import type { CheckInput } from './types.ts';
import { clockTime } from '../history/clock-time.ts';

export const checkReadYourWrites = foldingChecker((input) => new ReadYourWritesFold(input));

class ReadYourWritesFold extends CausalFold {
  private readonly replaced;
  /** Per device, the latest acknowledged write of each record (by id) and field. */
  private readonly latest = new Map<string, Map<string, Map<string, Write>>>();
  /** Per device, the records it acknowledged a write to since its previous read. */
  private readonly written = new Map<string, Set<string>>();
  private readonly viewAfter = shownViews();
  private readonly reported = new Set<Write>();

  constructor(input: CheckInput) {
    super(input);
    this.replaced = conflictLog(input.events, this.causality);
  }

  take(event: HistoryEvent): void {
    const { causality, spans, replaced, refused, latest, written, viewAfter, reported, violations } = this;
    // a restored backup starts the device's session over from the old copy
    if (event.type === 'restore') latest.delete(event.process);
    if (event.type === 'ok' && event.f !== 'refresh') {
      const write = causality.writeAt(event.process, event.op);
      if (!write?.id) return;
      const mine = latest.get(event.process) ?? new Map<string, Map<string, Write>>();
      latest.set(event.process, mine);
      // the device's own delete is its latest word on the record: what becomes of it is resurrection's to judge
      if (write.f === 'delete') mine.delete(write.id);
      if (!write.token) return;
      const fields = mine.get(write.id) ?? new Map<string, Write>();
      mine.set(write.id, fields);
      for (const field of tokenFields(write)) fields.set(field, write);
      written.set(event.process, (written.get(event.process) ?? new Set<string>()).add(write.id));
      return;
    }
    if (event.type !== 'read') return;
    const device = event.process;
    const shown = viewAfter(event);
    const mine = latest.get(device);
    if (!mine) return;
    // a verdict changes only where the device shows something new or wrote since: excuses, once true, stay true
    const ids = event.at === 'boot' ? mine.keys() : new Set([...(written.get(device) ?? []), ...event.records.map((record) => record.id), ...(event.removed ?? [])]);
    written.delete(device);
    for (const id of ids) {
      for (const [field, write] of mine.get(id) ?? []) {
        if (reported.has(write)) continue;
        const record = shown.get(id);
        const token = write.token as string;
        if (record && (record.status === 'failed' || causality.includes(record.fields[field], token, field))) continue;
        const deleted = causality.writesTo(id).some((other) => other.f === 'delete' && other.atMs <= event.t && other.outcome !== 'fail');
        if (!record && deleted) continue;
        if (replaced(token, field, event.t, device) || refused(device, id, write.atMs) || causality.wipedByRestore(write)) continue;
        reported.add(write);
        const value = record ? record.fields[field] : undefined;
        violations.push({
          checker: 'read-your-writes',
          summary: `${write.entity ?? 'record'} ${id} field ${field} on ${device}: ${describeWrite(write)} is missing from a read at ${clockTime(event.t)}, which shows ${record ? (value ?? 'no value') : 'no record'}`,
          record: { entity: write.entity ?? 'record', id },
          device,
          writes: [writeRef(write, field)],
          faults: faultsDuring(spans, write.atMs, event.t),
        });
      }
    }
  }
}
