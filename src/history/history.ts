// Collects a run's events in order and hashes them as NDJSON lines while they arrive, so the
// event-log hash is the fingerprint of exactly what happened: same scenario and seed, same hash.
// A long run's log moves to disk once it is large, and each pass over it reads it back.
import { createHash, type Hash } from 'node:crypto';
import type { VisibleRecord } from '../adapter.ts';
import type { EventLog, HistoryEvent, ReadEvent } from './events.ts';
import { SpillFile } from './spill-file.ts';

/** Events held in memory before the log moves to disk: about 10 devices × 5 simulated hours of the standard workload. */
export const SPILL_AFTER_EVENTS = 200_000;

export class History {
  private eventList: HistoryEvent[] | undefined = [];
  private spill: SpillFile | undefined;
  private readonly digest: Hash = createHash('sha256');
  /** The log in order, the same object for every pass: from memory, or read back from disk once spilled. */
  readonly events: EventLog = { [Symbol.iterator]: () => this.replay() };
  /** Per device, what its previous read showed, by record id. */
  private readonly shown = new Map<string, Map<string, ShownRecord>>();

  constructor(private readonly spillAfterEvents = SPILL_AFTER_EVENTS) {}

  append(event: HistoryEvent): void {
    const line = JSON.stringify(event);
    this.digest.update(line);
    this.digest.update('\n');
    if (this.spill) return this.spill.write(line);
    this.eventList?.push(event);
    if ((this.eventList?.length ?? 0) >= this.spillAfterEvents) this.spillToDisk();
  }

  /** Whether the log has moved to disk. */
  get spilled(): boolean {
    return this.spill !== undefined;
  }

  /** Records what a device's app showed: all of it at a launch, what changed since its previous read at a look. */
  appendRead(t: number, process: string, at: ReadEvent['at'], records: readonly VisibleRecord[]): void {
    const before = at === 'boot' ? new Map<string, ShownRecord>() : (this.shown.get(process) ?? new Map<string, ShownRecord>());
    const now = new Map<string, ShownRecord>();
    const changed: VisibleRecord[] = [];
    let newIds = 0;
    for (const record of records) {
      const previous = before.get(record.id);
      if (!previous && !now.has(record.id)) newIds++;
      if (previous && (isSameFrozen(previous.handed, record) || sameRecord(previous.copy, record))) {
        now.set(record.id, previous.handed === record ? previous : { copy: previous.copy, handed: record });
        continue;
      }
      // a copy, so that an app that later changes the objects it handed out changes neither the history nor the comparison
      const copy = { ...record, fields: { ...record.fields } };
      now.set(record.id, { copy, handed: record });
      changed.push(copy);
    }
    this.shown.set(process, now);
    // every id shown before is shown again unless fewer of them than before are left
    const removed = now.size - newIds === before.size ? [] : [...before.keys()].filter((id) => !now.has(id));
    this.append({ t, type: 'read', process, at, records: changed, ...(removed.length > 0 && { removed }) });
  }

  private spillToDisk(): void {
    const spill = new SpillFile();
    for (const event of this.eventList ?? []) spill.write(JSON.stringify(event));
    this.spill = spill;
    this.eventList = undefined;
  }

  private *replay(): Generator<HistoryEvent> {
    if (!this.spill) return yield* this.eventList ?? [];
    for (const line of this.spill.lines()) yield JSON.parse(line) as HistoryEvent;
  }

  /** The first 16 hex digits of the SHA-256 of the NDJSON event log so far. */
  hash(): string {
    return this.digest.copy().digest('hex').slice(0, 16);
  }
}

/** A record a read showed: the history's copy of it, and the object the app handed out. */
interface ShownRecord {
  copy: VisibleRecord;
  handed: VisibleRecord;
}

/** The app handed out the very object again, and neither it nor its fields can have changed since: frozen. */
function isSameFrozen(handed: VisibleRecord, record: VisibleRecord): boolean {
  return handed === record && Object.isFrozen(record) && Object.isFrozen(record.fields);
}

/** Whether an app shows `a` and `b` alike: the same kind, status, reason and field values. */
function sameRecord(a: VisibleRecord, b: VisibleRecord): boolean {
  if (a.entity !== b.entity || a.status !== b.status || a.reason !== b.reason) return false;
  const names = Object.keys(b.fields);
  return names.length === Object.keys(a.fields).length && names.every((name) => Object.hasOwn(a.fields, name) && a.fields[name] === b.fields[name]);
}
