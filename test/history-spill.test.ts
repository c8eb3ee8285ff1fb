// A long run's history moves to disk once it is large: every pass over it then reads it back, and
// must give the very events, in order, that a history kept in memory gives, with the same hash.
import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../src/history/events.ts';
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
});
