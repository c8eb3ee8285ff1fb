// `report.html`: one self-contained file that opens offline (inline CSS and script, a content
// security policy that forbids any fetch): the cases, and for the chosen one a zoomable timeline
// with a lane per device and the server, its violations (filtered, grouped, searched), each
// violation's write history with the faults that overlapped it, and charts with fault bands.
import { readFileSync } from 'node:fs';
import { causesOf } from '../check/causes.ts';
import type { Violation } from '../check/types.ts';
import { faultsDuring } from '../history/fault-spans.ts';
import type { CaseTimeline, TimelineWrite } from '../history/timeline.ts';
import type { CaseReport, Reporter, RunEnd } from './case.ts';
import { reportDocument } from './json.ts';
import type { RunInfo } from './run-info.ts';

export const HTML_FILE = 'report.html';

/** Timelines kept in the page: every case that did not pass, then passing ones up to this many cases in all. */
const TIMELINE_CASES = 50;

const asset = (name: string) => readFileSync(new URL(`./html/${name}`, import.meta.url), 'utf8');

export function htmlReporter(run: RunInfo): Reporter {
  return {
    onRunEnd(reports, end) {
      run.folder.write(HTML_FILE, htmlReport(run, reports, end));
    },
  };
}

export function htmlReport(run: RunInfo, reports: readonly CaseReport[], end: RunEnd): string {
  const kept = new Set(reports.filter((report) => report.verdict !== 'pass'));
  for (const report of reports) if (kept.size < TIMELINE_CASES) kept.add(report);
  const document = { ...reportDocument(run, reports, end), cases: reports.map((report) => pageCase(report, kept.has(report))) };
  // `<` escaped: no string in the data can close the script element it sits in.
  const data = JSON.stringify(document).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sync-chaos ${escapeHtml(run.folder.id)}: ${document.verdict}</title>
<style>
${asset('page.css')}</style>
</head>
<body>
<header id="header"></header>
<h2>Cases</h2>
<table id="cases"></table>
<section id="case"></section>
<script type="application/json" id="report-data">${data}</script>
<script>
${asset('page.js')}</script>
</body>
</html>
`;
}

/** What the page draws for one violation: its writes (`device:op`), the span of time they cover, and the faults that overlapped that span. */
export interface ViolationView {
  writes: string[];
  /** Absent when the history holds none of its writes. */
  fromMs?: number;
  toMs?: number;
  faultIds: number[];
}

/** A case as the page reads it: the report, its violations' order, and with a timeline each violation's view. */
type PageCase = CaseReport & { order: number[]; views?: ViolationView[] };

function pageCase(report: CaseReport, keepTimeline: boolean): PageCase {
  const { timeline, ...rest } = report;
  const order = causeFirst(report.violations);
  return keepTimeline && timeline ? { ...rest, timeline, order, views: violationViews(report.violations, timeline) } : { ...rest, order };
}

/**
 * The order the page lists violations in, root cause first, by the one rule every report uses
 * (check/causes.ts): each record's primary violation, then the consequences filed under it.
 */
export function causeFirst(violations: readonly Violation[]): number[] {
  const indexOf = new Map(violations.map((violation, index) => [violation, index]));
  return causesOf(violations).groups.flatMap(({ primary, consequences }) => [primary, ...consequences].map((violation) => indexOf.get(violation) as number));
}

/**
 * Each violation's writes (the ones its checker cites, else every write to its record), the span
 * from the first one's save to the last one's server commit (its acknowledgement if it never
 * committed; the end of the history if it was never answered), and the faults in force during it.
 */
export function violationViews(violations: readonly Violation[], timeline: CaseTimeline): ViolationView[] {
  const byKey = new Map(timeline.writes.map((write) => [writeKey(write), write]));
  const byRecord = new Map<string, TimelineWrite[]>();
  for (const write of timeline.writes) if (write.id !== undefined) byRecord.set(write.id, [...(byRecord.get(write.id) ?? []), write]);
  return violations.map((violation) => {
    const writes =
      violation.writes && violation.writes.length > 0
        ? violation.writes.flatMap((ref) => byKey.get(writeKey(ref)) ?? [])
        : violation.record ? (byRecord.get(violation.record.id) ?? []) : [];
    if (writes.length === 0) return { writes: [], faultIds: [] };
    const fromMs = Math.min(...writes.map((write) => write.atMs));
    const toMs = Math.max(...writes.map((write) => write.committedMs ?? write.okMs ?? (write.outcome === 'pending' ? timeline.endMs : write.atMs)));
    return { writes: writes.map(writeKey), fromMs, toMs, faultIds: faultsDuring(timeline.faults, fromMs, toMs).map((fault) => fault.faultId) };
  });
}

function writeKey(write: { device: string; op: number }): string {
  return `${write.device}:${write.op}`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
