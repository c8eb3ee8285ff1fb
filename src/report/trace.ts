// `--trace`: a run's event log as NDJSON, one event per line, exactly the lines the event-log hash
// is computed over (so `sha256sum` of the file starts with the printed hash). Written to a
// temporary file and renamed, so a crash never leaves half a trace.
import { join } from 'node:path';
import type { EventLog } from '../history/events.ts';
import { writeFileAtomic } from './atomic.ts';

export const TRACE_FOLDER = join('reports', 'traces');

/** Writes the trace of one case and returns its path. */
export function writeTrace(folder: string, scenario: string, seed: number, events: EventLog): string {
  const path = join(folder, `${scenario.replace(/[^\w.-]+/g, '_')}-seed-${seed}.events.ndjson`);
  writeFileAtomic(path, linesOf(events));
  return path;
}

function* linesOf(events: EventLog): Generator<string> {
  for (const event of events) yield JSON.stringify(event) + '\n';
}
