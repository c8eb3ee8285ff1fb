// Writes follow reads: a value a device shows must come with what its writer had seen. When a write
// was made over a version of the record, a device showing that write while still showing an older
// value than the writer saw in another field shows an effect without its cause.
import { faultsDuring } from '../history/fault-spans.ts';
import { describeWrite, writeRef } from './evidence.ts';
import { shownTokens } from './reads.ts';
import { CausalFold, foldingChecker } from './fold.ts';
import type { HistoryEvent } from '../history/events.ts';
import { clockTime } from '../history/clock-time.ts';

export const checkWritesFollowReads = foldingChecker((input) => new WritesFollowReadsFold(input));

/** Each read's shown writes against what their writers had seen. A cause the server refused (and its app said so) never reached anyone: showing the effect without it is no violation. */
class WritesFollowReadsFold extends CausalFold {
  private readonly reported = new Set<string>();

  take(event: HistoryEvent): void {
    const { causality, spans, reported, refused, violations } = this;
    if (event.type !== 'read') return;
    for (const record of event.records) {
      for (const [field, token] of shownTokens(record.fields)) {
        const write = causality.writeOf(token);
        if (!write || write.device === event.process) continue;
        for (const [other, shown] of shownTokens(record.fields)) {
          if (other === field) continue;
          const cause = write.seen
            .map((version) => version[other])
            .find((value): value is string => typeof value === 'string' && causality.ancestors(value, other).has(shown));
          const key = `${event.process}\u0000${token}\u0000${other}`;
          const causeWrite = cause && causality.writeOf(cause);
          if (!cause || reported.has(key) || (causeWrite && refused(causeWrite.device, record.id, causeWrite.atMs))) continue;
          reported.add(key);
          violations.push({
            checker: 'writes-follow-reads',
            summary:
              `${record.entity} ${record.id} on ${event.process} at ${clockTime(event.t)} shows ${field} = ${describeWrite(write)}, ` +
              `but ${other} = ${shown}, older than the ${cause} its writer saw`,
            record: { entity: record.entity, id: record.id },
            device: event.process,
            writes: [writeRef(write, field), ...(causeWrite ? [writeRef(causeWrite, other)] : [])],
            faults: faultsDuring(spans, write.atMs, event.t),
          });
        }
      }
    }
  }
}
