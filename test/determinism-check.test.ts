import { describe, expect, it } from 'vitest';
import { checkDeterminism } from '../src/check/determinism.ts';
import type { HistoryEvent } from '../src/history/events.ts';

const log = (...events: object[]) => events as HistoryEvent[];
const chaos = { t: 0, type: 'phase', phase: 'chaos' };
const summaryOf = (first: HistoryEvent[], second: HistoryEvent[]) => checkDeterminism(first, second).violations.map(({ summary }) => summary);

describe('the determinism check of two event logs of one seed', () => {
  it('is silent when the logs are the same', () => {
    const events = log(chaos, { t: 5, type: 'ok', process: 'd1', id: 'a0b1c2d3-0000-4000-8000-000000000000' });
    expect(checkDeterminism(events, log(...events))).toStrictEqual({ valid: true, violations: [] });
  });

  it('names the first differing event and blames real randomness when an id differs', () => {
    const first = log(chaos, { t: 5, type: 'ok', process: 'd1', id: 'a0b1c2d3-0000-4000-8000-000000000000' });
    const second = log(chaos, { t: 5, type: 'ok', process: 'd1', id: 'ffffffff-0000-4000-8000-000000000000' });
    expect(summaryOf(first, second)).toStrictEqual([
      'the same seed gave another event log: event 2 (ok at 5 ms) differs in id a0b1c2d3-0000-4000-8000-000000000000 then ffffffff-0000-4000-8000-000000000000 (first run, then second); likely cause: real randomness (Math.random, crypto.randomUUID): an id or a random number differs; take them from env.random()',
    ]);
  });

  it('blames a real clock when a time of today differs', () => {
    const first = log(chaos, { t: 9, type: 'log', process: 'd2', data: { at: 1_764_000_000_000 } });
    const second = log(chaos, { t: 9, type: 'log', process: 'd2', data: { at: 1_764_000_000_004 } });
    expect(summaryOf(first, second)[0]).toMatch(/differs in data\.at 1764000000000 then 1764000000004 .*likely cause: a real clock \(Date\.now, new Date\)/);
  });

  it('blames a real timer or an undriven promise when events come in another order, or one log is longer', () => {
    const first = log(chaos, { t: 9, type: 'invoke', process: 'd1' });
    expect(summaryOf(first, log(chaos, { t: 9, type: 'kill', process: 'd1' }))[0]).toMatch(
      /event 2 is invoke at 9 ms in the first run and kill at 9 ms in the second; likely cause: a real timer/,
    );
    expect(summaryOf(log(chaos), first)[0]).toMatch(/event 2 is nothing \(the log ended\) in the first run and invoke at 9 ms in the second/);
  });
});
