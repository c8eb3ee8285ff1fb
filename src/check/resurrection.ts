// Resurrection: a delete made after seeing every write to its record is the last word on it, so
// the record must not come back anywhere. A delete that missed a concurrent edit may lose to it;
// that is a policy's choice, not a resurrection.
import { causalityOf, tokenFields, type Causality, type Write } from './causality.ts';
import { faultSpans, faultsDuring } from '../history/fault-spans.ts';
import { describeWrite, recordNotices, writeRef } from './evidence.ts';
import type { CheckInput, CheckResult, Violation } from './types.ts';
import { lastEventMs } from '../history/event-log.ts';

export function checkResurrection(input: CheckInput): CheckResult {
  const causality = causalityOf(input.events);
  const spans = faultSpans(input.events);
  const lastMs = lastEventMs(input.events);
  // a delete the server turned down, and the app said so, was surfaced rather than undone behind the user's back
  const refused = recordNotices(input.events, ['change-rejected', 'conflict']);
  const live = new Map<string, string[]>();
  for (const record of input.server) if (!record.deleted) live.set(record.id, ['the server']);
  for (const device of input.devices) {
    for (const record of device.records) {
      if (record.status !== 'failed') live.set(record.id, [...(live.get(record.id) ?? []), device.deviceId]);
    }
  }
  const violations: Violation[] = [];
  for (const write of causality.writes) {
    if (write.f !== 'delete' || write.outcome !== 'ok' || !write.id) continue;
    const where = live.get(write.id);
    if (!where || causality.wipedByRestore(write) || refused(write.device, write.id, write.atMs) || !sawEverything(write, causality)) continue;
    violations.push({
      checker: 'resurrection',
      summary: `${write.entity ?? 'record'} ${write.id} is live again on ${where.join(', ')}, though ${describeWrite(write)} saw every write to it`,
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
