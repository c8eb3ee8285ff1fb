// Resurrection: a delete made after seeing every write to its record is the last word on it, so
// the record must not come back anywhere. A delete that missed a concurrent edit may lose to it at the
// server, a policy's choice, but not be dropped on the way there unsaid. Where the record is live again
// (a place that had seen it deleted) is told apart from where it is still live (the delete never got there).
import { tokenFields, type Causality, type Write } from './causality.ts';
import { historyIndexOf } from './history-index.ts';
import { faultsDuring } from '../history/fault-spans.ts';
import { describeWrite, recordNotices, writeRef } from './evidence.ts';
import type { CheckInput, CheckResult, Violation } from './types.ts';

export function checkResurrection(input: CheckInput): CheckResult {
  const index = historyIndexOf(input.events);
  const { causality, lastEventMs: lastMs } = index;
  const spans = input.faultSpans;
  // a delete the server turned down, and the app said so, was surfaced rather than undone behind the user's back
  const refused = recordNotices(input.events, ['change-rejected', 'conflict']);
  const live = new Map<string, string[]>();
  for (const record of input.server) if (!record.deleted) live.set(record.id, ['the server']);
  for (const device of input.devices) {
    for (const record of device.records) {
      if (record.status !== 'failed') live.set(record.id, [...(live.get(record.id) ?? []), device.deviceId]);
    }
  }
  const sawDeleted = (place: string, id: string, fromMs: number) => index.sawDeleted(place, id, fromMs);
  const violations: Violation[] = [];
  for (const write of causality.writes) {
    if (write.f !== 'delete' || write.outcome !== 'ok' || !write.id) continue;
    const where = live.get(write.id);
    if (!where || causality.wipedByRestore(write) || refused(write.device, write.id, write.atMs)) continue;
    // one that missed an edit is the policy's to settle once the server had it; one that never got there was dropped (a full commit log tells)
    const sawAll = sawEverything(write, causality);
    if (!sawAll && (write.committedMs !== undefined || input.commitLog === false)) continue;
    const id = write.id;
    const seenDeleted = (place: string) => place === write.device || sawDeleted(place, id, write.atMs);
    const again = where.filter(seenDeleted);
    const still = where.filter((place) => !seenDeleted(place));
    const record = `${write.entity ?? 'record'} ${id}`;
    const told = [
      ...(again.length > 0 ? [`live again on ${again.join(', ')}`] : []),
      ...(still.length > 0 ? [`still live on ${still.join(', ')}, which the delete never reached`] : []),
    ].join(', and ');
    violations.push({
      checker: 'resurrection',
      summary: `${record}: ${describeWrite(write)} ${sawAll ? 'saw every write to it, yet' : 'missed an edit, but never reached the server to lose to it there, and the app said nothing:'} the record is ${told}`,
      record: { entity: write.entity ?? 'record', id: write.id },
      device: write.device,
      writes: [writeRef(write)],
      faults: faultsDuring(spans, write.atMs, lastMs),
    });
  }
  return { valid: violations.length === 0, violations };
}

/** Whether every write to the record that may have happened is one the delete saw, or an ancestor of what it saw. */
function sawEverything(deletion: Write, causality: Causality): boolean {
  return causality
    .writesTo(deletion.id as string)
    .filter((other) => other !== deletion && other.token && other.outcome !== 'fail')
    .every((other) =>
      tokenFields(other).every((field) => deletion.seen.some((version) => causality.includes(version[field], other.token as string, field))),
    );
}
