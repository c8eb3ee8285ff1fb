// What the engine examples' tests (Yjs, Automerge) check of a server_restart: the fault reached the
// server module, and the restarted process went on counting each record's versions from what its
// data folder kept, so no record's committed version ever went back.
import type { HistoryEvent } from '../src/history/events.ts';

/** The run times (ms) at which a server_restart took the server down. */
export function serverRestartTimesMs(events: readonly HistoryEvent[]): number[] {
  return events.flatMap((event) => (event.type === 'fault' && event.phase === 'start' && event.spec.kind === 'server_restart' ? [event.t] : []));
}

/** Records whose server commits did not rise strictly, version after version: a server that forgot what it held. */
export function recordsWhoseVersionsFell(events: readonly HistoryEvent[]): string[] {
  const last = new Map<string, number>();
  const fell = new Set<string>();
  for (const event of events) {
    if (event.type !== 'commit') continue;
    if (event.version <= (last.get(event.id) ?? 0)) fell.add(event.id);
    last.set(event.id, event.version);
  }
  return [...fell];
}
