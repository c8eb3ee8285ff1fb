import { describe, expect, it } from 'vitest';
import { edited, editedBytes, type Edit } from '../src/history/list-edits.ts';
import { createRng } from '../src/sim/rng.ts';

describe('a list read as edits', () => {
  it('comes out the same whether its few edits are made in place or its many build it anew', () => {
    const rng = createRng(7, 'list-edits');
    for (const editCount of [0, 1, 5, 32, 33, 80]) {
      const before = Array.from({ length: 400 }, (_, at) => at);
      const edits: Edit<number>[] = [];
      let place = 0;
      for (let at = 0; at < editCount && place < before.length; at++) {
        const from = Math.min(before.length, place + rng.int(0, 3));
        const to = Math.min(before.length, from + rng.int(0, 2));
        edits.push({ from, to, items: Array.from({ length: rng.int(0, 2) }, () => 1000 + rng.int(0, 999)) });
        place = to + 1;
      }
      const expected: number[] = [];
      let keptTo = 0;
      for (const { from, to, items } of edits) {
        expected.push(...before.slice(keptTo, from), ...items);
        keptTo = to;
      }
      expected.push(...before.slice(keptTo));
      expect(editedBytes(Uint8Array.from(before, (value) => value % 256), edits.map(({ from, to, items }) => ({ from, to, items: items.map((value) => value % 256) })), expected.length)).toEqual(Uint8Array.from(expected, (value) => value % 256));
      expect(edited(before, edits), `${editCount} edits`).toEqual(expected);
    }
  });
});
