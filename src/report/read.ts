// Reading a report.json back, for the commands that work on finished runs (`report merge`,
// `shrink`, `replay`): a missing, unreadable or foreign file, or one that breaks the published
// schema anywhere, is bad input that names the file and the first path that is wrong.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BadInputError } from '../errors.ts';
import { JSON_REPORT_FILE, type ReportDocument } from './json.ts';
import { reportSchemaProblems } from './report-schema.ts';

/** The report at `path`: a report.json, or a run folder holding one. */
export function readReportDocument(path: string): { path: string; document: ReportDocument } {
  const file = isFolder(path) ? join(path, JSON_REPORT_FILE) : path;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new BadInputError(`${file}: not a readable JSON report (${(error as Error).message})`);
  }
  const [problem, ...more] = reportSchemaProblems(parsed);
  if (problem !== undefined) {
    const others = more.length === 0 ? '' : ` (and ${more.length} more problem${more.length === 1 ? '' : 's'})`;
    throw new BadInputError(`${file}: not a sync-chaos report.json as schema/report.schema.json describes it: ${problem}${others}`);
  }
  return { path: file, document: parsed as ReportDocument };
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
