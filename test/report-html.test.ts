import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Violation } from '../src/check/types.ts';
import type { CaseTimeline } from '../src/history/timeline.ts';
import type { CaseReport } from '../src/report/case.ts';
import { causeFirst, htmlReport, violationViews } from '../src/report/html.ts';
import { RunFolder } from '../src/report/run-folder.ts';
import type { RunInfo } from '../src/report/run-info.ts';

const RUN: RunInfo = { startedAt: '2026-11-25T16:30:00.000Z', command: { files: ['a.yaml'], flags: {} }, folder: new RunFolder(mkdtempSync(join(tmpdir(), 'sync-chaos-html-')), 'run'), write: () => {} };

function caseReport(seed: number, verdict: CaseReport['verdict'], summary = 'note n1: live on the server (v2) but missing on d1'): CaseReport {
  return {
    scenario: 'a',
    file: 'a.yaml',
    seed,
    verdict,
    eventLogHash: '0123456789abcdef',
    counts: { devices: 1, writes: 1, acknowledged: 1, resumeWrites: 0, resumeAcknowledged: 0, unknownOutcome: 0, conflicts: 0, syncRequests: 1, messages: 2, events: 3 },
    metrics: { conflictsByPolicy: {}, peakQueueDepth: 1, retries: 0, wire: { messages: 2, bytes: 10, dropped: 0 } },
    simulatedMs: 1000,
    wallMs: 5,
    quiesced: true,
    checks: { divergence: { valid: verdict === 'pass' } },
    violations: verdict === 'fail' ? [{ checker: 'divergence', summary }] : [],
    drawnFaults: [],
    swarm: false,
    replay: `npx sync-chaos run a.yaml --seed ${seed}`,
    timeline: { endMs: 1000, devices: ['d1'], writes: [], faults: [], kills: [], queueDepth: {} },
  };
}

/** The report's embedded data, as the page's script reads it. */
function embedded(html: string): { cases: (CaseReport & { order: number[] })[] } {
  return JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!);
}

describe('report.html', () => {
  it('is one file that loads nothing from outside and forbids the page any fetch', () => {
    const html = htmlReport(RUN, [caseReport(1, 'pass')], { reason: 'done', planned: 1 });
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/\b(src|href)=/);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"`);
  });

  it('keeps data that looks like markup inside its script element, and timelines for failing cases first', () => {
    const hostile = 'field body is "</script><script>alert(1)</script>" on d1';
    const reports = [...Array.from({ length: 60 }, (_, index) => caseReport(index, 'pass')), caseReport(99, 'fail', hostile)];
    const html = htmlReport(RUN, reports, { reason: 'done', planned: 61 });
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    const { cases } = embedded(html);
    expect(cases.at(-1)!.violations[0]!.summary).toBe(hostile);
    expect(cases.filter((each) => each.timeline).map((each) => each.seed)).toEqual([...Array.from({ length: 49 }, (_, index) => index), 99]);
  });

  it('lists a violation’s faults only when they were in force while its writes were saved and committed, not later in the run', () => {
    const timeline: CaseTimeline = {
      endMs: 1_000_000,
      devices: ['d1', 'd2'],
      writes: [
        { device: 'd1', op: 1, f: 'create', entity: 'note', id: 'n1', atMs: 10_000, outcome: 'ok', okMs: 10_000, committedMs: 12_000 },
        { device: 'd2', op: 1, f: 'delete', entity: 'note', id: 'n1', atMs: 15_400, outcome: 'ok', okMs: 15_400 },
        { device: 'd2', op: 2, f: 'update', entity: 'note', id: 'n2', atMs: 500_000, outcome: 'pending' },
      ],
      faults: [
        { faultId: 1, kind: 'partition', startMs: 11_000, stopMs: 11_500, targets: ['d1'], mode: 'drop' },
        { faultId: 2, kind: 'partition', startMs: 975_000, stopMs: 990_000, targets: ['d2'], mode: 'drop' },
        { faultId: 3, kind: 'kill', startMs: 15_400, targets: ['d2'] },
      ],
      kills: [],
      queueDepth: {},
    };
    const violations: Violation[] = [
      // the checker cites the delete, and its evidence window runs to the end of the history
      { checker: 'resurrection', summary: 'n1 came back', record: { entity: 'note', id: 'n1' }, writes: [{ device: 'd2', op: 1, f: 'delete', atMs: 15_400, outcome: 'ok' }], faults: timeline.faults.slice() },
      // no writes cited: every write to the record, from the create's save to the delete's acknowledgement
      { checker: 'divergence', summary: 'n1 differs', record: { entity: 'note', id: 'n1' } },
      // never answered: it was in flight until the end, through the late partition
      { checker: 'liveness', summary: 'n2 never arrived', record: { entity: 'note', id: 'n2' } },
      { checker: 'integrity', summary: 'n3 points nowhere', record: { entity: 'note', id: 'n3' } },
    ];
    expect(violationViews(violations, timeline)).toEqual([
      { writes: ['d2:1'], fromMs: 15_400, toMs: 15_400, faultIds: [3] },
      { writes: ['d1:1', 'd2:1'], fromMs: 10_000, toMs: 15_400, faultIds: [1, 3] },
      { writes: ['d2:2'], fromMs: 500_000, toMs: 1_000_000, faultIds: [2, 3] },
      { writes: [], faultIds: [] },
    ]);
  });

  it('orders violations root cause first: what the client did wrong before the divergence, integrity and liveness it causes', () => {
    const checkers = ['divergence', 'liveness', 'resurrection', 'integrity', 'read-your-writes', 'lost-write', 'divergence', 'duplicate'];
    const order = causeFirst(checkers.map((checker) => ({ checker, summary: checker })));
    expect(order.map((index) => `${checkers[index]}#${index}`)).toEqual(['lost-write#5', 'resurrection#2', 'duplicate#7', 'read-your-writes#4', 'divergence#0', 'divergence#6', 'integrity#3', 'liveness#1']);
    const report = { ...caseReport(1, 'fail'), violations: checkers.map((checker) => ({ checker, summary: checker })) };
    expect(embedded(htmlReport(RUN, [report], { reason: 'done', planned: 1 })).cases[0]!.order).toEqual(order);
  });
});
