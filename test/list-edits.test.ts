import { describe, expect, it } from 'vitest';
import type { ListSplice, VisibleRecord } from '../src/adapter.ts';
import { edited, editedBytes, editsOfSplices, type Edit } from '../src/history/list-edits.ts';
import { createRng } from '../src/sim/rng.ts';

describe('a list read as edits', () => {
  it('comes out as its edits made one after another say, in place, whether they move the tail forward, backward or both ways', () => {
    const rng = createRng(7, 'list-edits');
    const shapes = new Set<string>();
    for (const [editCount, length] of [[0, 400], [1, 0], [1, 400], [5, 400], [32, 400], [33, 400], [80, 400], ...Array.from({ length: 40 }, () => [rng.int(1, 6), rng.int(0, 12)])] as [number, number][]) {
      const before = Array.from({ length }, (_, at) => at);
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
      let shift = 0;
      const shifts = edits.map(({ from, to, items }) => Math.sign((shift += items.length - (to - from))));
      shapes.add(`${shifts.includes(-1)}${shifts.includes(1)}`);
      expect(edited(before, edits), `${editCount} edits of ${length} places`).toBe(before);
      expect(before, `${editCount} edits of ${length} places`).toEqual(expected);
    }
    // tails moved neither way, only forward, only backward, and both ways
    expect(shapes).toEqual(new Set(['falsefalse', 'truefalse', 'falsetrue', 'truetrue']));
  });

  it('is made from an app’s splices, applied in turn, and refused when the splices do not fit the list they name', () => {
    const record = (id: string): VisibleRecord => Object.freeze({ entity: 'folder', id, fields: Object.freeze({ name: id }) });
    const before = ['a', 'b', 'c', 'd', 'e'].map(record);
    const [x, y] = [record('x'), record('y')];
    const splices: ListSplice[] = [
      { at: 1, removed: 1 },
      { at: 3, removed: 1, record: x },
      { at: 0, removed: 0, record: y },
      { at: 5, removed: 0, record: before[0] as VisibleRecord },
    ];
    const after = before.slice();
    for (const { at, removed, record: put } of splices) after.splice(at, removed, ...(put ? [put] : []));
    const edits = editsOfSplices(splices, before.length, after);
    expect(edits && edited(before.slice(), edits)).toEqual(after);
    expect(editsOfSplices([], before.length, before)).toEqual([]);
    for (const [misfit, list] of [
      [[{ at: 6, removed: 0, record: x }], [...before, x]],
      [[{ at: 5, removed: 1 }], before.slice(0, 4)],
      [[{ at: 1.5, removed: 0, record: x }], [...before, x]],
      [[{ at: 0, removed: 2 as 1 }], before.slice(2)],
      [[{ at: 0, removed: 1 }], before],
      [[{ at: 0, removed: 1, record: x }], [y, ...before.slice(1)]],
    ] as [ListSplice[], VisibleRecord[]][]) {
      expect(editsOfSplices(misfit, before.length, list), JSON.stringify(misfit)).toBeUndefined();
    }
  });
});
