// Honest status: a record an app shows as `synced` must be on the server with exactly that value at
// that moment, that is, the server must already have committed that version. Replays the server's
// commit log alongside every read the history holds.
import type { Fields } from '../adapter.ts';
import { causalityOf } from './history-index.ts';
import { isToken } from '../history/tokens.ts';
import { faultsDuring } from '../history/fault-spans.ts';
import { describeWrite, writeRef } from './evidence.ts';
import { foldingChecker, settledFold, ViolationsFold } from './fold.ts';
import type { HistoryEvent } from '../history/events.ts';
import type { CheckInput } from './types.ts';
import { clockTime } from '../history/clock-time.ts';

export const checkHonestStatus = foldingChecker((input) =>
  input.commitLog === false
    ? settledFold({ valid: 'unknown', violations: [], error: 'the server under test logs no commits, so what it held at each moment cannot be known' })
    : new HonestStatusFold(input),
);

class HonestStatusFold extends ViolationsFold {
  private readonly causality;
  private readonly spans;
  /** Per record id, the fingerprints of the versions the server committed so far. */
  private readonly committed = new Map<string, Set<string>>();
  private readonly reported = new Set<string>();

  constructor(input: CheckInput) {
    super();
    this.causality = causalityOf(input.events);
    this.spans = input.faultSpans;
  }

  take(event: HistoryEvent): void {
    const { causality, spans, committed, reported, violations } = this;
    if (event.type === 'commit') {
      const versions = committed.get(event.id) ?? new Set<string>();
      versions.add(fingerprint(event.fields));
      committed.set(event.id, versions);
    } else if (event.type === 'read') {
      for (const record of event.records) {
        if (record.status !== 'synced' || committed.get(record.id)?.has(fingerprint(record.fields))) continue;
        const key = `${event.process}\u0000${record.id}\u0000${fingerprint(record.fields)}`;
        if (reported.has(key)) continue;
        reported.add(key);
        const writes = Object.entries(record.fields)
          .filter(([, value]) => isToken(value))
          .map(([field, value]) => ({ field, write: causality.writeOf(value as string) }))
          .filter((entry) => entry.write !== undefined);
        violations.push({
          checker: 'honest-status',
          summary:
            `${record.entity} ${record.id} shown as synced on ${event.process} at ${clockTime(event.t)}, ` +
            `but the server never committed that version${writes.length > 0 ? ` (it holds ${[...new Set(writes.map(({ write }) => describeWrite(write!)))].join(', ')})` : ''}`,
          record: { entity: record.entity, id: record.id },
          device: event.process,
          writes: writes.map(({ field, write }) => writeRef(write!, field)),
          faults: faultsDuring(spans, Math.min(event.t, ...writes.map(({ write }) => write!.atMs)), event.t),
        });
      }
    }
  }
}

/** A version's values, independent of key order. */
function fingerprint(fields: Fields): string {
  return JSON.stringify(Object.keys(fields).sort().map((name) => [name, fields[name]]));
}
