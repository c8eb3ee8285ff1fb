// Durability: an app killed and booted again must show every write it acknowledged before the
// kill, or something descending from it. Compares, per device, the last acknowledged write of each
// record field before a death with what the app shows at its next launch; a restored backup is exempt,
// and so is a write the app surfaced as the other checkers accept it: refused (logged, or shown `failed`).
import type { VisibleRecord } from '../adapter.ts';
import type { HistoryEvent, OperationEvent, ReadEvent } from '../history/events.ts';
import { tokenFields, type Causality, type Write } from './causality.ts';
import { faultsDuring, type FaultSpan } from '../history/fault-spans.ts';
import { describeWrite, recordNotices, writeRef } from './evidence.ts';
import { tokensIn } from '../history/tokens.ts';
import { CausalFold, foldingChecker } from './fold.ts';
import type { Violation } from './types.ts';
import { clockTime } from '../history/clock-time.ts';

/** The last acknowledged write of each field of each record, by record id and field. */
type Saved = Map<string, Map<string, Write>>;

interface Death {
  atMs: number;
  /** What the device had saved at the moment of death. */
  saved: Saved;
}

export const checkDurability = foldingChecker((input) => new DurabilityFold(input));

/** What each device saved before each death, against what its next launch shows; a change the server refused (and the app said so) is no longer one it promised to keep. */
class DurabilityFold extends CausalFold {
  private readonly saved = new Map<string, Saved>();
  private readonly deaths = new Map<string, Death>();

  take(event: HistoryEvent): void {
    const { causality, spans, refused, saved, deaths, violations } = this;
    if (event.type === 'ok' && event.f !== 'refresh') remember(saved, causality, event);
    else if (event.type === 'kill') deaths.set(event.process, { atMs: event.t, saved: copyOf(saved.get(event.process)) });
    else if (event.type === 'restore') {
      // a restore kills the app and puts an old copy back: losing what came after the backup is the fault, not the app
      deaths.delete(event.process);
      saved.delete(event.process);
    } else if (event.type === 'client' && event.event === 'conflict') {
      forgetReplaced(saved.get(event.process), event.data, causality);
    } else if (event.type === 'read' && event.at === 'boot') {
      const death = deaths.get(event.process);
      if (!death) return;
      deaths.delete(event.process);
      const found = missing(event.process, death, event, { causality, spans, refused });
      // reported once: from this launch on, what the app shows is its saved state
      for (const violation of found) saved.get(event.process)?.get(violation.record?.id as string)?.delete(violation.writes?.[0]?.field as string);
      violations.push(...found);
    }
  }
}

function remember(saved: Map<string, Saved>, causality: Causality, event: OperationEvent): void {
  const write = causality.writeAt(event.process, event.op);
  if (!write?.id) return;
  const mine: Saved = saved.get(event.process) ?? new Map();
  saved.set(event.process, mine);
  if (write.f === 'delete') {
    mine.delete(write.id);
    return;
  }
  const fields = mine.get(write.id) ?? new Map<string, Write>();
  mine.set(write.id, fields);
  for (const field of tokenFields(write)) fields.set(field, write);
}

function copyOf(saved: Saved | undefined): Saved {
  return new Map([...(saved ?? [])].map(([id, fields]) => [id, new Map(fields)]));
}

/** A logged conflict replaced the device's own values with the server's on purpose: those are no longer what it must keep. */
function forgetReplaced(mine: Saved | undefined, data: Record<string, unknown> | undefined, causality: Causality): void {
  const fields = typeof data?.id === 'string' ? mine?.get(data.id) : undefined;
  if (!fields) return;
  const mentioned = [...tokensIn(data)];
  for (const [field, write] of fields) {
    if (mentioned.some((token) => causality.includes(token, write.token as string, field))) fields.delete(field);
  }
}

interface Evidence {
  causality: Causality;
  spans: readonly FaultSpan[];
  /** Whether the app logged a refusal of a change of record `id` at or after `fromMs`. */
  refused: ReturnType<typeof recordNotices>;
}

function missing(device: string, death: Death, read: ReadEvent, { causality, spans, refused }: Evidence): Violation[] {
  const shown = new Map<string, VisibleRecord>(read.records.map((record) => [record.id, record]));
  const violations: Violation[] = [];
  for (const [id, field, write] of savedWrites(death.saved)) {
    const record = shown.get(id);
    const token = write.token as string;
    let problem: string | undefined;
    if (record?.status === 'failed' || refused(device, id, write.atMs)) continue;
    if (!record) {
      const deleted = causality.writesTo(id).some((other) => other.f === 'delete' && other.atMs <= death.atMs && other.outcome !== 'fail');
      if (!deleted) problem = 'the record is gone';
    } else {
      const value = record.fields[field];
      const older = value === undefined || value === null || causality.ancestors(token, field).has(value as string);
      if (older && value !== token) problem = `it shows ${value === undefined || value === null ? 'no value' : value}, an older version`;
    }
    if (!problem) continue;
    violations.push({
      checker: 'durability',
      summary: `${write.entity ?? 'record'} ${id} field ${field} on ${device}: ${describeWrite(write)} was saved before the app died at ${clockTime(death.atMs)}, but at the next launch (${clockTime(read.t)}) ${problem}`,
      record: { entity: write.entity ?? 'record', id },
      device,
      writes: [writeRef(write, field)],
      faults: faultsDuring(spans, write.atMs, read.t),
    });
  }
  return violations;
}

function* savedWrites(saved: Saved): Generator<[string, string, Write]> {
  for (const [id, fields] of saved) for (const [field, write] of fields) yield [id, field, write];
}
