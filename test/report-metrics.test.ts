import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../src/history/events.ts';
import { faultSpans } from '../src/history/fault-spans.ts';
import { deriveMetrics } from '../src/history/metrics.ts';
import { deriveTimeline } from '../src/history/timeline.ts';
import { PUSH_PATH } from '../src/protocol/v1.ts';
import { reportSchemaProblems } from '../src/report/report-schema.ts';
import { runCli } from './cli-helpers.ts';

const push = (t: number, link: string, direction: 'to-server' | 'to-device', fate: 'sent' | 'delivered' | 'dropped', sizeBytes = 100): HistoryEvent => ({
  t,
  type: 'message',
  fate,
  messageId: t,
  link,
  direction,
  label: 'POST /v1/push',
  sizeBytes,
});

/** d1 saves a note and edits it; the first push's answer is lost, the retry's arrives; d2's write is never pushed. */
const EVENTS: HistoryEvent[] = [
  { t: 0, type: 'boot', process: 'd1' },
  { t: 0, type: 'fault', phase: 'start', faultId: 1, spec: { kind: 'partition', targets: ['d1'], mode: 'response-lost' } },
  { t: 10, type: 'invoke', process: 'd1', op: 1, f: 'create', entity: 'note', fields: { title: 't:d1:w1' } },
  { t: 10, type: 'ok', process: 'd1', op: 1, f: 'create', entity: 'note', id: 'n1' },
  { t: 20, type: 'invoke', process: 'd1', op: 2, f: 'update', entity: 'note', id: 'n1', fields: { title: 't:d1:w2' } },
  { t: 20, type: 'ok', process: 'd1', op: 2, f: 'update', entity: 'note', id: 'n1' },
  push(30, 'd1', 'to-server', 'sent'),
  push(40, 'd1', 'to-device', 'dropped'),
  { t: 50, type: 'fault', phase: 'stop', faultId: 1, spec: { kind: 'partition', targets: ['d1'], mode: 'response-lost' } },
  { t: 55, type: 'client', process: 'd1', event: 'sync-failed', data: { reason: 'timeout' } },
  { t: 45, type: 'commit', process: 'd1', changeId: 'c1', entity: 'note', id: 'n1', version: 1, fields: { title: 't:d1:w1' }, deleted: false },
  push(60, 'd1', 'to-server', 'sent', 250),
  { t: 62, type: 'commit', process: 'd1', changeId: 'c2', entity: 'note', id: 'n1', version: 2, fields: { title: 't:d1:w2' }, deleted: false },
  { t: 65, type: 'invoke', process: 'd2', op: 1, f: 'create', entity: 'folder', fields: { name: 't:d2:w1' } },
  { t: 65, type: 'ok', process: 'd2', op: 1, f: 'create', entity: 'folder', id: 'f1' },
  { t: 70, type: 'client', process: 'd1', event: 'conflict', data: { policy: 'lww' } },
  { t: 70, type: 'client', process: 'd2', event: 'conflict', data: {} },
  push(80, 'd1', 'to-device', 'delivered'),
  { t: 90, type: 'kill', process: 'd2', statement: 3 },
];

describe('report metrics', () => {
  it('derive each write’s save, acknowledgement and server commit, the queue depth over time, and the fault spans', () => {
    const timeline = deriveTimeline(EVENTS, PUSH_PATH, faultSpans(EVENTS));
    expect(timeline.devices).toEqual(['d1', 'd2']);
    expect(timeline.endMs).toBe(90);
    expect(timeline.writes).toEqual([
      { device: 'd1', op: 1, f: 'create', entity: 'note', id: 'n1', atMs: 10, outcome: 'ok', okMs: 10, committedMs: 45 },
      { device: 'd1', op: 2, f: 'update', entity: 'note', id: 'n1', atMs: 20, outcome: 'ok', okMs: 20, committedMs: 62 },
      { device: 'd2', op: 1, f: 'create', entity: 'folder', id: 'f1', atMs: 65, outcome: 'ok', okMs: 65 },
    ]);
    expect(timeline.queueDepth).toEqual({ d1: [[0, 0], [10, 1], [20, 2], [80, 0]], d2: [[0, 0], [65, 1]] });
    expect(timeline.faults).toEqual([{ faultId: 1, kind: 'partition', startMs: 0, stopMs: 50, targets: ['d1'], mode: 'response-lost' }]);
    expect(timeline.kills).toEqual([{ device: 'd2', atMs: 90 }]);

    expect(deriveMetrics(EVENTS, timeline)).toEqual({
      conflictsByPolicy: { lww: 1, unnamed: 1 },
      peakQueueDepth: 2,
      retries: 1,
      wire: { messages: 2, bytes: 350, dropped: 1 },
    });
  });

  it('puts them in report.json, consistent with the counts and valid against the schema', async () => {
    const { code, stdout } = await runCli(['run', 'scenarios/baseline.yaml', '--reporter', 'json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(reportSchemaProblems(report)).toEqual([]);
    const [first] = report.cases;
    const { metrics, counts } = first;
    expect(metrics.conflictsByPolicy).toEqual({ 'server-wins': counts.conflicts });
    expect(metrics.wire.messages).toBe(counts.messages);
    expect(metrics.wire.bytes).toBeGreaterThan(0);
    expect(metrics.peakQueueDepth).toBeGreaterThan(0);
    expect(metrics.retries).toBe(0);
    const broken = { ...report, cases: [{ ...first, metrics: { ...metrics, peakQueueDepth: -1, latency: 'fast' } }] };
    expect(reportSchemaProblems(broken)).toEqual(['$.cases[0].metrics: must NOT have additional properties ("latency")', '$.cases[0].metrics.peakQueueDepth: must be >= 0']);
  });
});
