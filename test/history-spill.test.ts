// A long run's history moves to disk once it is large: every pass over it then reads it back, and
// must give the very events, in order, that a history kept in memory gives, with the same hash.
import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../src/history/events.ts';
import { faultSpans } from '../src/history/fault-spans.ts';
import { History } from '../src/history/history.ts';

/** Events whose text crosses the spill file's 64 KiB buffers, with characters of several UTF-8 bytes on the way, and now and then one longer than a buffer. */
function events(count: number): HistoryEvent[] {
  return Array.from({ length: count }, (_, index) => ({
    t: index,
    type: 'client',
    process: `d${index % 3}`,
    event: 'note',
    data: { text: `${index} é✓${'🙂'.repeat(index % 7_000 === 1 ? 40_000 : 20 + (index % 50))}` },
  }));
}

describe('a history', () => {
  it('that moved to disk gives back every event in order, on every pass, with the hash of one kept in memory', () => {
    const written = events(30_000);
    const onDisk = new History(1_000);
    const inMemory = new History();
    for (const event of written) {
      onDisk.append(event);
      inMemory.append(event);
    }

    expect(onDisk.spilled).toBe(true);
    expect(inMemory.spilled).toBe(false);
    expect([...onDisk.events]).toEqual(written);
    expect([...onDisk.events]).toEqual(written);
    expect(onDisk.hash()).toBe(inMemory.hash());
  });

  it('keeps taking events after a pass has read it back', () => {
    const history = new History(2);
    const [first, second, third] = events(3) as [HistoryEvent, HistoryEvent, HistoryEvent];
    history.append(first);
    history.append(second);
    expect([...history.events]).toEqual([first, second]);
    history.append(third);

    expect([...history.events]).toEqual([first, second, third]);
  });

  it('counts and spans its faults as the events arrive, in memory or on disk, as a pass over the log finds them', () => {
    const log: HistoryEvent[] = [
      { t: 1, type: 'invoke', process: 'd1', op: 1, f: 'create', entity: 'note', fields: {} },
      { t: 2, type: 'ok', process: 'd1', op: 1, f: 'create', entity: 'note', id: 'n1' },
      { t: 3, type: 'fault', phase: 'start', faultId: 1, spec: { kind: 'kill', targets: ['d1'], when: 'any', restartAfterMs: 5 } },
      { t: 4, type: 'info', process: 'd1', op: 2, f: 'update', entity: 'note', id: 'n1' },
      { t: 5, type: 'boot', process: 'd1' },
      { t: 6, type: 'message', fate: 'sent', messageId: 1, link: 'd1', direction: 'to-server', label: 'POST /v1/push', sizeBytes: 10 },
      { t: 7, type: 'message', fate: 'sent', messageId: 2, link: 'd1', direction: 'to-device', label: '200 /v1/push', sizeBytes: 10 },
      { t: 8, type: 'client', process: 'd2', event: 'conflict', data: { id: 'n1' } },
      { t: 9, type: 'phase', phase: 'resume' },
      { t: 10, type: 'invoke', process: 'd2', op: 1, f: 'update', entity: 'note', id: 'n1', fields: {} },
      { t: 11, type: 'ok', process: 'd2', op: 1, f: 'update', entity: 'note', id: 'n1' },
      { t: 12, type: 'invoke', process: 'd2', op: 2, f: 'refresh' },
    ];
    for (const history of [new History(), new History(3)]) {
      for (const event of log) history.append(event);
      expect(history.counts).toEqual({ writes: 2, acknowledged: 2, unknownOutcome: 1, conflicts: 1, syncRequests: 1, messages: 2, resumeWrites: 1, resumeAcknowledged: 1 });
      expect(history.faultSpans).toEqual([{ faultId: 1, kind: 'kill', startMs: 3, stopMs: 5, targets: ['d1'] }]);
      expect(history.faultSpans).toEqual(faultSpans(history.events));
    }
  });
});
