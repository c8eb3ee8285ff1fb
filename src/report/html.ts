// `report.html`: one self-contained file that opens offline (inline CSS and script, a content
// security policy that forbids any fetch): the cases, and for the chosen one a timeline with a
// lane per device and the server, its violations, each violation's write history, and charts.
import { readFileSync } from 'node:fs';
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
  const document = { ...reportDocument(run, reports, end), cases: reports.map((report) => (kept.has(report) ? report : { ...report, timeline: undefined })) };
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

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
