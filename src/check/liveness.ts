// Liveness: once every fault healed, each device must drain its queue (quiescence), every acknowledged
// change must reach the server (itself or through a later version built on it) or be surfaced to the
// user (shown `failed`, or named in a logged conflict or rejection), and resume-phase writes reach everyone.
import type { Fields } from '../adapter.ts';
import { causalityOf, tokenFields, type Causality, type Write } from './causality.ts';
import { faultSpans, faultsDuring } from '../history/fault-spans.ts';
import { describeWrite, loggedConflictTokens, recordNotices, writeRef } from './evidence.ts';
import type { CheckInput, CheckResult, Violation } from './types.ts';
import { findEvent, lastEventMs } from '../history/event-log.ts';
import type { PhaseEvent } from '../history/events.ts';
import { formatDuration } from '../scenario/units.ts';

export function checkLiveness(input: CheckInput): CheckResult {
  const violations = [...undrained(input), ...dropped(input), ...unspread(input)];
  return { valid: violations.length === 0, violations };
}

function undrained(input: CheckInput): Violation[] {
  const quiesced = input.quiesced ?? findEvent(input.events, (event): event is PhaseEvent => event.type === 'phase' && event.phase === 'end' && event.quiesced === true) !== undefined;
  if (quiesced) return [];
  const { bound, lastQuiesceMs } = quiescenceOf(input.events);
  if (bound !== undefined) return [{ checker: 'liveness', summary: `the devices did not quiesce within the bounds of a run: ${bound}` }];
  const within = lastQuiesceMs === undefined ? '' : ` within ${formatDuration(lastQuiesceMs)}`;
  const stuck = input.devices
    .map((device) => ({
      device: device.deviceId,
      waiting: device.records.filter((record) => record.status === 'local' || record.status === 'pending').length,
      open: device.openConflicts,
    }))
    .filter(({ waiting, open }) => waiting > 0 || open > 0);
  if (stuck.length === 0) {
    return [{ checker: 'liveness', summary: `the devices never settled${within}: each sync round after healing still changed what they show` }];
  }
  return stuck.map(({ device, waiting, open }) => ({
    checker: 'liveness',
    summary: `${device} never drained${within} after every fault healed: ${waiting} record${waiting === 1 ? '' : 's'} still waiting to sync, ${open} conflict${open === 1 ? '' : 's'} open`,
    device,
  }));
}

/** How the run's last quiescence went: the bound on events it stopped at, if any, and how long it lasted. */
function quiescenceOf(events: CheckInput['events']): { bound?: string; lastQuiesceMs?: number } {
  let quiesceStartMs: number | undefined;
  for (const event of events) {
    if (event.type !== 'phase') continue;
    if (event.phase === 'quiesce') quiesceStartMs = event.t;
    if (event.phase === 'end') {
      return { ...(event.bound !== undefined && { bound: event.bound }), ...(quiesceStartMs !== undefined && { lastQuiesceMs: event.t - quiesceStartMs }) };
    }
  }
  return {};
}

function dropped(input: CheckInput): Violation[] {
  const causality = causalityOf(input.events);
  const spans = faultSpans(input.events);
  const logged = loggedConflictTokens(input.events);
  const surfaced = new Set<string>();
  for (const device of input.devices) {
    for (const record of device.records) if (record.status === 'failed') surfaced.add(`${device.deviceId}\u0000${record.id}`);
  }
  const rejected = recordNotices(input.events, ['change-rejected']);
  const deleted = new Set(input.server.filter((record) => record.deleted).map((record) => record.id));
  const lastMs = lastEventMs(input.events);
  const violations: Violation[] = [];
  for (const write of causality.writes) {
    if (write.outcome !== 'ok' || !write.token || !write.id) continue;
    if (causality.wipedByRestore(write) || deleted.has(write.id) || logged.has(write.token) || surfaced.has(`${write.device}\u0000${write.id}`) || rejected(write.device, write.id, write.atMs)) continue;
    const fields = tokenFields(write);
    if (fields.every((field) => reached(write, field, causality.committedVersions(write.id as string), causality))) continue;
    if (causality.writesTo(write.id).some((other) => other.f === 'delete' && other.outcome !== 'fail' && other.atMs > write.atMs)) continue;
    violations.push({
      checker: 'liveness',
      summary: `${write.entity ?? 'record'} ${write.id}: ${describeWrite(write)} never reached the server, and the app neither showed it failed nor logged a conflict`,
      record: { entity: write.entity ?? 'record', id: write.id },
      device: write.device,
      writes: [writeRef(write, fields[0])],
      faults: faultsDuring(spans, write.atMs, lastMs),
    });
  }
  return violations;
}

/**
 * The resume phase's proof that sync came back: each write acknowledged after every fault healed and
 * held by the server at the end must be on every device too (a device that stopped syncing shows here).
 */
function unspread(input: CheckInput): Violation[] {
  const resumedMs = findEvent(input.events, (event): event is PhaseEvent => event.type === 'phase' && event.phase === 'resume')?.t;
  if (resumedMs === undefined) return [];
  const causality = causalityOf(input.events);
  const server = new Map(input.server.filter((record) => !record.deleted).map((record) => [record.id, record]));
  const violations: Violation[] = [];
  for (const write of causality.writes) {
    if (write.atMs < resumedMs || write.outcome !== 'ok' || !write.token || !write.id) continue;
    const onServer = server.get(write.id);
    const fields = tokenFields(write).filter((field) => causality.includes(onServer?.fields[field], write.token as string, field));
    if (fields.length === 0) continue;
    for (const device of input.devices) {
      const shown = device.records.find((record) => record.id === write.id);
      if (shown?.status === 'failed' || fields.every((field) => causality.includes(shown?.fields[field], write.token as string, field))) continue;
      violations.push({
        checker: 'liveness',
        kind: 'resume',
        summary: `${write.entity ?? 'record'} ${write.id}: ${describeWrite(write)}, made after every fault healed, reached the server but never ${device.deviceId}`,
        record: { entity: write.entity ?? 'record', id: write.id },
        device: device.deviceId,
        writes: [writeRef(write, fields[0])],
      });
    }
  }
  return violations;
}

/** Whether the server committed `write`'s token in `field`, or a version descending from it. */
function reached(write: Write, field: string, versions: readonly Fields[], causality: Causality): boolean {
  return versions.some((fields) => causality.includes(fields[field], write.token as string, field));
}
