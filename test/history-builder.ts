// Hand-written histories for checker tests: a small builder that appends the events a run would
// record (user operations with their outcomes, server commits, reads, kills, faults, client logs)
// with a clock that moves forward one second per event unless told otherwise.
import type { Entity, Fields, ServerRecord, SyncStatus, VisibleRecord } from '../src/adapter.ts';
import type { CheckInput, DeviceFinalState } from '../src/check/index.ts';
import type { FaultSpec } from '../src/scenario/fault-specs.ts';
import type { HistoryEvent } from '../src/history/events.ts';
import { faultSpans } from '../src/history/fault-spans.ts';
import { History } from '../src/history/history.ts';

interface WriteCall {
  entity?: Entity;
  id: string;
  fields?: Fields;
  seen?: Fields[];
  outcome?: 'ok' | 'fail' | 'info';
}

export class HistoryBuilder {
  readonly events: HistoryEvent[] = [];
  private nowMs = 0;
  private readonly ops = new Map<string, number>();
  /** Compacts reads as a run does: a look records only what changed since the device's previous read. */
  private readonly reads = new History();

  at(ms: number): this {
    this.nowMs = ms;
    return this;
  }

  create(device: string, call: WriteCall): this {
    return this.operation(device, 'create', call);
  }

  update(device: string, call: WriteCall): this {
    return this.operation(device, 'update', call);
  }

  delete(device: string, call: Omit<WriteCall, 'fields'>): this {
    return this.operation(device, 'delete', { ...call, fields: {} });
  }

  resolve(device: string, call: WriteCall): this {
    return this.operation(device, 'resolve', call);
  }

  commit(device: string, id: string, version: number, fields: Fields, deleted = false, entity: Entity = 'note'): this {
    return this.push({ t: this.tick(), type: 'commit', process: device, changeId: `c-${id}-${version}`, entity, id, version, fields, deleted });
  }

  /** Everything `device` shows now. */
  read(device: string, records: VisibleRecord[], at: 'boot' | 'user' = 'user'): this {
    this.reads.appendRead(this.tick(), device, at, records);
    return this.push([...this.reads.events].at(-1) as HistoryEvent);
  }

  kill(device: string): this {
    return this.push({ t: this.tick(), type: 'kill', process: device, statement: 3 });
  }

  boot(device: string): this {
    return this.push({ t: this.tick(), type: 'boot', process: device });
  }

  fault(phase: 'start' | 'stop', faultId: number, spec: FaultSpec): this {
    return this.push({ t: this.tick(), type: 'fault', phase, faultId, spec });
  }

  log(device: string, event: string, data: Record<string, unknown>): this {
    return this.push({ t: this.tick(), type: 'client', process: device, event, data });
  }

  /** A request from `link` to the server: put on the wire (`sent`), or refused by the device's offline network. */
  message(link: string, fate: 'sent' | 'refused' = 'sent'): this {
    return this.push({ t: this.tick(), type: 'message', fate, messageId: this.events.length, link, direction: 'to-server', label: 'POST /v1/push', sizeBytes: 10 });
  }

  private operation(device: string, f: 'create' | 'update' | 'delete' | 'resolve', call: WriteCall): this {
    const op = (this.ops.get(device) ?? 0) + 1;
    this.ops.set(device, op);
    const t = this.tick();
    const entity = call.entity ?? 'note';
    const known = f === 'create' ? {} : { id: call.id };
    this.push({ t, type: 'invoke', process: device, op, f, entity, ...known, fields: call.fields ?? {}, ...(call.seen && { seen: call.seen }) });
    return this.push({ t, type: call.outcome ?? 'ok', process: device, op, f, entity, id: call.id });
  }

  push(event: HistoryEvent): this {
    this.events.push(event);
    return this;
  }

  private tick(): number {
    this.nowMs += 1000;
    return this.nowMs;
  }
}

export function note(id: string, fields: Fields, status: SyncStatus = 'synced'): VisibleRecord {
  return { entity: 'note', id, fields, status };
}

export function serverNote(id: string, fields: Fields, version = 1, deleted = false): ServerRecord {
  return { entity: 'note', id, fields, version, deleted };
}

export function device(deviceId: string, records: VisibleRecord[] = []): DeviceFinalState {
  return { deviceId, records, openConflicts: 0 };
}

export function input(history: HistoryBuilder, server: ServerRecord[], devices: DeviceFinalState[] = [], extra: Partial<CheckInput> = {}): CheckInput {
  return { events: history.events, faultSpans: faultSpans(history.events), server, devices, quiesced: true, ...extra };
}
