// Reading a report.json back, for the commands that work on finished runs (`report merge`,
// `shrink`, `replay`): a missing, unreadable or foreign file is bad input that names the file.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BadInputError } from '../errors.ts';
import { JSON_REPORT_FILE, JSON_REPORT_VERSION, type ReportDocument } from './json.ts';

/** The report at `path`: a report.json, or a run folder holding one. */
export function readReportDocument(path: string): { path: string; document: ReportDocument } {
  const file = isFolder(path) ? join(path, JSON_REPORT_FILE) : path;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new BadInputError(`${file}: not a readable JSON report (${(error as Error).message})`);
  }
  const document = parsed as Partial<ReportDocument>;
  if (document.version !== JSON_REPORT_VERSION || !Array.isArray(document.cases) || typeof document.startedAt !== 'string' || !document.command) {
    throw new BadInputError(`${file}: not a sync-chaos report.json of version ${JSON_REPORT_VERSION}`);
  }
  return { path: file, document: document as ReportDocument };
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
