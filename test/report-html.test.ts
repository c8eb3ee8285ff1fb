import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CaseReport } from '../src/report/case.ts';
import { htmlReport } from '../src/report/html.ts';
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
function embedded(html: string): { cases: CaseReport[] } {
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
});
