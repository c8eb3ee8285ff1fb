// The checkers' shared index of a history is built in one pass, however many of them ask (a long run's
// log is read back from disk on every pass), and answers as the passes it replaces did.
import { describe, expect, it } from 'vitest';
import { loggedConflictTokens, recordNotices } from '../src/check/evidence.ts';
import { causalityOf, historyIndexOf } from '../src/check/history-index.ts';
import type { EventLog, HistoryEvent } from '../src/history/events.ts';
import { HistoryBuilder } from './history-builder.ts';

/** A log that counts the passes made over it (a history builder ticks one second before each event it adds). */
function countedLog(events: readonly HistoryEvent[]): { log: EventLog; passes: () => number } {
  let passes = 0;
  return {
    log: {
      [Symbol.iterator]: () => {
        passes++;
        return events[Symbol.iterator]();
      },
    },
    passes: () => passes,
  };
}

describe("a history's shared index", () => {
  it('is built in one pass for the causality oracle, the logged conflicts, the notices of every kind and the log\'s end', () => {
    const history = new HistoryBuilder()
      .create('d1', { id: 'n1', fields: { title: 't:d1:w1' } })
      .commit('d1', 'n1', 1, { title: 't:d1:w1' })
      .log('d1', 'conflict', { id: 'n1', local: { title: 't:d1:w1' } })
      .at(89_000)
      .log('d2', 'change-rejected', { id: 'n1' });
    const { log, passes } = countedLog(history.events);

    expect(causalityOf(log).writeOf('t:d1:w1')?.id).toBe('n1');
    expect([...loggedConflictTokens(log).keys()]).toEqual(['t:d1:w1']);
    expect(recordNotices(log, ['change-rejected'])('d2', 'n1', 90_000)).toBe(true);
    expect(recordNotices(log, ['conflict'])('d1', 'n1', 90_000)).toBe(false);
    expect(historyIndexOf(log).lastEventMs).toBe(90_000);
    expect(passes()).toBe(1);
  });

  it("answers a record's notices of several kinds by the last one logged, as a pass over those kinds did, not by the latest time", () => {
    const history = new HistoryBuilder()
      .at(9_000)
      .log('d1', 'change-rejected', { id: 'n1' })
      .at(3_000)
      .log('d1', 'conflict', { id: 'n1' });
    const noticed = recordNotices(history.events, ['change-rejected', 'conflict']);

    expect(noticed('d1', 'n1', 4_000)).toBe(true);
    expect(noticed('d1', 'n1', 5_000)).toBe(false);
    expect(recordNotices(history.events, ['change-rejected'])('d1', 'n1', 5_000)).toBe(true);
  });
});
