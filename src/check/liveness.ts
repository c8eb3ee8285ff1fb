// Liveness: once every fault healed, each device must drain its queue (quiescence), every acknowledged
// change must reach the server (itself or through a later version built on it) or be accounted for as
// lost-write accounts for it (superseded, surfaced, in a logged conflict), and resume-phase writes reach everyone.
import type { Fields, VisibleRecord } from '../adapter.ts';
import { tokenFields, type Causality, type Write } from './causality.ts';
import { causalityOf, historyIndexOf } from './history-index.ts';
import { faultsDuring } from '../history/fault-spans.ts';
import { describeWrite, loggedConflictTokens, writeRef } from './evidence.ts';
import { classifyWrites, type WriteClass } from './judgement.ts';
import type { CheckInput, CheckResult, Violation } from './types.ts';
import { clockTime } from '../history/clock-time.ts';

export function checkLiveness(input: CheckInput): CheckResult {
  const violations = [...undrained(input), ...dropped(input), ...unspread(input)];
  return { valid: violations.length === 0, violations };
}

function undrained(input: CheckInput): Violation[] {
  const { phases } = historyIndexOf(input.events);
  const quiesced = input.quiesced ?? phases.some((event) => event.phase === 'end' && event.quiesced === true);
  if (quiesced) return [];
  const bound = phases.find((event) => event.phase === 'end')?.bound;
  if (bound !== undefined) return [{ checker: 'liveness', summary: `the devices did not quiesce within the bounds of a run: ${bound}` }];
  const violations: Violation[] = [];
  const named = new Set<string>();
  // what each device still had waiting at the moment a quiescence ran out of time: the observation itself
  for (const event of input.events) {
    if (event.type !== 'quiesce-timeout') continue;
    for (const wait of event.devices) {
      if (named.has(wait.device) || (wait.waiting === 0 && wait.openConflicts === 0 && !wait.syncUnreturned)) continue;
      named.add(wait.device);
      violations.push({
        checker: 'liveness',
        kind: 'quiesce-timeout',
        summary:
          `${wait.device} still had ${waitingWords(wait.waiting, wait.openConflicts)} when the quiescence after the ${event.after} phase timed out ` +
          `at ${clockTime(event.t)}, ${clockTime(event.t - event.sinceMs)} after it began${wait.syncUnreturned ? ', and its sync() had not returned' : ''}`,
        device: wait.device,
      });
    }
  }
  for (const device of input.devices) {
    const waiting = device.records.filter((record) => record.status === 'local' || record.status === 'pending').length;
    if (named.has(device.deviceId) || (waiting === 0 && device.openConflicts === 0)) continue;
    named.add(device.deviceId);
    violations.push({
      checker: 'liveness',
      summary: `${device.deviceId} never drained after every fault healed: ${waitingWords(waiting, device.openConflicts)} at the end`,
      device: device.deviceId,
    });
  }
  if (violations.length > 0) return violations;
  return [{ checker: 'liveness', summary: 'the devices never settled: nothing was left waiting to sync, yet each sync round after healing still changed what they show' }];
}

/** `3 records still waiting to sync and 1 conflict open`. */
function waitingWords(waiting: number, open: number): string {
  const records = `${waiting} record${waiting === 1 ? '' : 's'} waiting to sync`;
  return open === 0 ? records : `${records} and ${open} conflict${open === 1 ? '' : 's'} open`;
}

/** The losses of a write that, when it never reached the server, are the sync's: it dropped the change. */
const DROPPED: ReadonlySet<WriteClass> = new Set(['silent', 'regressed', 'vanished']);

/**
 * Acknowledged changes that never reached the server (neither themselves nor a version built on them), judged as
 * lost-write judges them (src/check/judgement.ts): superseded, kept, surfaced, wiped or in a logged conflict is fine.
 */
function dropped(input: CheckInput): Violation[] {
  // without the server's commits, "never reached the server" cannot be proven: lost-write still reports the loss
  if (input.commitLog === false) return [];
  const { causality, lastEventMs: lastMs } = historyIndexOf(input.events);
  const spans = input.faultSpans;
  const logged = loggedConflictTokens(input.events);
  const unreached = new Map<Write, string>();
  for (const { write, field, class: judged } of classifyWrites(input)) {
    if (!DROPPED.has(judged) || logged.has(write.token as string) || unreached.has(write)) continue;
    if (!reached(write, field, causality.committedVersions(write.id as string), causality)) unreached.set(write, field);
  }
  return [...unreached].map(([write, field]) => ({
    checker: 'liveness',
    summary: `${write.entity ?? 'record'} ${write.id}: ${describeWrite(write)} never reached the server, and the app neither showed it failed nor logged a conflict`,
    record: { entity: write.entity ?? 'record', id: write.id as string },
    device: write.device,
    writes: [writeRef(write, field)],
    faults: faultsDuring(spans, write.atMs, lastMs),
  }));
}

/**
 * The resume phase's proof that sync came back: each write acknowledged after every fault healed and
 * held by the server at the end must be on every device too (a device that stopped syncing shows here).
 */
function unspread(input: CheckInput): Violation[] {
  const resumedMs = historyIndexOf(input.events).phases.find((event) => event.phase === 'resume')?.t;
  if (resumedMs === undefined) return [];
  const causality = causalityOf(input.events);
  const server = new Map(input.server.filter((record) => !record.deleted).map((record) => [record.id, record]));
  const shownOn = input.devices.map((device) => ({ device, shown: firstById(device.records) }));
  const violations: Violation[] = [];
  for (const write of causality.writes) {
    if (write.atMs < resumedMs || write.outcome !== 'ok' || !write.token || !write.id) continue;
    const onServer = server.get(write.id);
    const fields = tokenFields(write).filter((field) => causality.includes(onServer?.fields[field], write.token as string, field));
    if (fields.length === 0) continue;
    for (const { device, shown: byId } of shownOn) {
      const shown = byId.get(write.id);
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

/** Each id's first record in `records`. */
function firstById(records: readonly VisibleRecord[]): Map<string, VisibleRecord> {
  const byId = new Map<string, VisibleRecord>();
  for (const record of records) if (!byId.has(record.id)) byId.set(record.id, record);
  return byId;
}

/** Whether the server committed `write`'s token in `field`, or a version descending from it. */
function reached(write: Write, field: string, versions: readonly Fields[], causality: Causality): boolean {
  return versions.some((fields) => causality.includes(fields[field], write.token as string, field));
}
