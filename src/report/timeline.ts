// What happened when, per device, as the HTML report draws it: each user write with the moment it
// was saved on the device and (approximately) acknowledged by the server, fault spans, kills, and
// each device's queue depth over time. Derived from the event log alone, in one pass.
import type { HistoryEvent, OperationEvent } from '../history/events.ts';
import { PUSH_PATH } from '../protocol/v1.ts';

export interface TimelineWrite {
  device: string;
  op: number;
  f: OperationEvent['f'];
  entity?: string;
  /** The record; known once a create returned. */
  id?: string;
  /** The invoke: when the user saved. */
  atMs: number;
  outcome: 'ok' | 'fail' | 'info' | 'pending';
  /**
   * When the server acknowledged it, approximately: the first push answer the device received for
   * a push sent after the write returned `ok`. Absent if none came.
   */
  ackMs?: number;
}

export interface TimelineFault {
  kind: string;
  startMs: number;
  /** Absent when it never healed. */
  stopMs?: number;
  /** The devices it struck; absent for server-side faults. */
  targets?: string[];
}

export interface CaseTimeline {
  endMs: number;
  devices: string[];
  writes: TimelineWrite[];
  faults: TimelineFault[];
  kills: { device: string; atMs: number }[];
  /** Per device, `[ms, depth]` at every change: writes saved on the device that the server has not acknowledged yet. */
  queueDepth: Record<string, [number, number][]>;
}

/** Builds the timeline of a run from its event log. */
export function deriveTimeline(events: readonly HistoryEvent[]): CaseTimeline {
  const writes = new Map<string, TimelineWrite>();
  const open = new Map<string, TimelineFault[]>();
  const faults: TimelineFault[] = [];
  const kills: CaseTimeline['kills'] = [];
  const devices = new Set<string>();
  /** Per device: writes saved and not yet in a push, and those in a push whose answer has not come. */
  const waiting = new Map<string, TimelineWrite[]>();
  const inFlight = new Map<string, TimelineWrite[]>();
  const queueDepth: CaseTimeline['queueDepth'] = {};
  const depth = (device: string, t: number, change: number) => {
    const series = (queueDepth[device] ??= [[0, 0]]);
    const next = series.at(-1)![1] + change;
    if (series.at(-1)![0] === t) series.at(-1)![1] = next;
    else series.push([t, next]);
  };
  let endMs = 0;

  for (const event of events) {
    endMs = Math.max(endMs, event.t);
    switch (event.type) {
      case 'invoke':
      case 'ok':
      case 'fail':
      case 'info': {
        if (event.f === 'refresh') break;
        devices.add(event.process);
        const key = `${event.process}:${event.op}`;
        if (event.type === 'invoke') {
          writes.set(key, { device: event.process, op: event.op, f: event.f, ...(event.entity && { entity: event.entity }), ...(event.id && { id: event.id }), atMs: event.t, outcome: 'pending' });
          break;
        }
        const write = writes.get(key);
        if (!write) break;
        write.outcome = event.type;
        if (event.id) write.id = event.id;
        if (event.type === 'ok') {
          waiting.set(event.process, [...(waiting.get(event.process) ?? []), write]);
          depth(event.process, event.t, 1);
        }
        break;
      }
      case 'message': {
        if (!event.label.endsWith(PUSH_PATH)) break;
        if (event.direction === 'to-server' && event.fate === 'sent') {
          inFlight.set(event.link, [...(inFlight.get(event.link) ?? []), ...(waiting.get(event.link) ?? [])]);
          waiting.set(event.link, []);
        } else if (event.direction === 'to-device' && event.fate === 'delivered') {
          const acknowledged = inFlight.get(event.link) ?? [];
          for (const write of acknowledged) write.ackMs = event.t;
          if (acknowledged.length > 0) depth(event.link, event.t, -acknowledged.length);
          inFlight.set(event.link, []);
        }
        break;
      }
      case 'fault': {
        const key = JSON.stringify(event.spec);
        if (event.phase === 'start') {
          const targets = 'targets' in event.spec ? event.spec.targets : undefined;
          const fault: TimelineFault = { kind: event.spec.kind, startMs: event.t, ...(targets && { targets }) };
          faults.push(fault);
          open.set(key, [...(open.get(key) ?? []), fault]);
        } else {
          const started = open.get(key)?.shift();
          if (started) started.stopMs = event.t;
        }
        break;
      }
      case 'kill':
        kills.push({ device: event.process, atMs: event.t });
        break;
      case 'boot':
        devices.add(event.process);
        break;
      default:
        break;
    }
  }
  return { endMs, devices: [...devices].sort(byDeviceNumber), writes: [...writes.values()], faults, kills, queueDepth };
}

/** d2 before d10. */
function byDeviceNumber(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
