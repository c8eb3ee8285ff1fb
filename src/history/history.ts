// Collects a run's events in order and hashes them as NDJSON lines while they arrive, so the
// event-log hash is the fingerprint of exactly what happened: same scenario and seed, same hash.
import { createHash, type Hash } from 'node:crypto';
import type { HistoryEvent } from './events.ts';

export class History {
  private readonly eventList: HistoryEvent[] = [];
  private readonly digest: Hash = createHash('sha256');

  append(event: HistoryEvent): void {
    this.eventList.push(event);
    this.digest.update(JSON.stringify(event));
    this.digest.update('\n');
  }

  get events(): readonly HistoryEvent[] {
    return this.eventList;
  }

  /** The first 16 hex digits of the SHA-256 of the NDJSON event log so far. */
  hash(): string {
    return this.digest.copy().digest('hex').slice(0, 16);
  }
}
