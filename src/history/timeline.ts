// What happened when, per device, as the HTML report draws it: each user write with the moments
// it was saved on the device and committed by the server, fault spans, kills, and each device's
// queue depth over time. Derived from the event log alone; the report's metrics read it too.
import type { EventLog, OperationEvent } from './events.ts';
import type { FaultSpan } from './fault-spans.ts';
import { isToken } from './tokens.ts';

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
  /** When the app acknowledged it (`ok`). */
  okMs?: number;
  /** When the server first committed it (its token, or for a delete the record's tombstone); absent if it never did. */
  committedMs?: number;
}

export interface CaseTimeline {
  endMs: number;
  devices: string[];
  writes: TimelineWrite[];
  /** The same spans the checkers' evidence cites (history/fault-spans.ts), as the run derived them. */
  faults: readonly FaultSpan[];
  kills: { device: string; atMs: number }[];
  /**
   * Per device, `[ms, depth]` at every change: writes saved on the device and not yet answered by
   * the server (a write leaves the queue when the device gets the answer to the first push it sent
   * after saving it; a change the server discarded leaves it too, though it never commits).
   */
  queueDepth: Record<string, [number, number][]>;
}

/**
 * Builds the timeline of a run from its event log. `pushPath` is the request path of a push (protocol
 * v1's `/v1/push`): the history records messages by label and leaves the protocol to its caller.
 * `faults` are the run's fault spans, derived once per case (RunResult.faultSpans).
 */
export function deriveTimeline(events: EventLog, pushPath: string, faults: readonly FaultSpan[]): CaseTimeline {
  const writes = new Map<string, TimelineWrite>();
  /** The token each write set, and when the server first committed each token or record tombstone. */
  const tokens = new Map<TimelineWrite, string>();
  const commitMs = new Map<string, number>();
  const tombstoneMs = new Map<string, number>();
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
          const write: TimelineWrite = { device: event.process, op: event.op, f: event.f, ...(event.entity && { entity: event.entity }), ...(event.id && { id: event.id }), atMs: event.t, outcome: 'pending' };
          writes.set(key, write);
          const token = Object.values(event.fields ?? {}).find(isToken);
          if (token) tokens.set(write, token);
          break;
        }
        const write = writes.get(key);
        if (!write) break;
        write.outcome = event.type;
        if (event.id) write.id = event.id;
        if (event.type === 'ok') {
          write.okMs = event.t;
          waiting.set(event.process, [...(waiting.get(event.process) ?? []), write]);
          depth(event.process, event.t, 1);
        }
        break;
      }
      case 'message': {
        if (!event.label.endsWith(pushPath)) break;
        if (event.direction === 'to-server' && event.fate === 'sent') {
          inFlight.set(event.link, [...(inFlight.get(event.link) ?? []), ...(waiting.get(event.link) ?? [])]);
          waiting.set(event.link, []);
        } else if (event.direction === 'to-device' && event.fate === 'delivered') {
          const answered = inFlight.get(event.link)?.length ?? 0;
          if (answered > 0) depth(event.link, event.t, -answered);
          inFlight.set(event.link, []);
        }
        break;
      }
      case 'commit':
        if (event.deleted && !tombstoneMs.has(event.id)) tombstoneMs.set(event.id, event.t);
        for (const value of Object.values(event.fields)) if (isToken(value) && !commitMs.has(value)) commitMs.set(value, event.t);
        break;
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
  for (const write of writes.values()) {
    const token = tokens.get(write);
    const committedMs = write.f === 'delete' ? tombstoneMs.get(write.id ?? '') : token === undefined ? undefined : commitMs.get(token);
    if (write.outcome === 'ok' && committedMs !== undefined) write.committedMs = committedMs;
  }
  return { endMs, devices: [...devices].sort(byDeviceNumber), writes: [...writes.values()], faults, kills, queueDepth };
}

/** d2 before d10. */
function byDeviceNumber(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
