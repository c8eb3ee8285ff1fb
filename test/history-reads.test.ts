// Reads are most of a long run's history: a launch records everything the app shows, a look before a
// user action only what changed since that device's previous read, and the session checkers rebuild
// each device's whole view from them.
import { describe, expect, it } from 'vitest';
import type { ListSplice, VisibleRecord } from '../src/adapter.ts';
import { shownViews } from '../src/check/reads.ts';
import type { ReadEvent } from '../src/history/events.ts';
import { History } from '../src/history/history.ts';
import { createRng } from '../src/sim/rng.ts';

const folder = (id: string, name: string, status: VisibleRecord['status'] = 'synced'): VisibleRecord => ({ entity: 'folder', id, fields: { name }, status });

function reads(history: History): ReadEvent[] {
  return [...history.events].filter((event): event is ReadEvent => event.type === 'read');
}

describe('reads in the history', () => {
  it('record everything at a launch and only the changes at a look, per device', () => {
    const history = new History();
    history.appendRead(1, 'd1', 'boot', [folder('a', 't:d1:w1'), folder('b', 't:d1:w2')]);
    history.appendRead(2, 'd2', 'boot', [folder('a', 't:d1:w1')]);
    history.appendRead(3, 'd1', 'user', [folder('a', 't:d1:w1'), folder('b', 't:d1:w2', 'pending'), folder('c', 't:d1:w3')]);
    history.appendRead(4, 'd1', 'user', [folder('b', 't:d1:w2', 'pending')]);
    history.appendRead(5, 'd1', 'boot', [folder('b', 't:d1:w2')]);

    expect(reads(history).map(({ process, records, removed }) => ({ process, ids: records.map((record) => record.id), removed }))).toEqual([
      { process: 'd1', ids: ['a', 'b'], removed: undefined },
      { process: 'd2', ids: ['a'], removed: undefined },
      { process: 'd1', ids: ['b', 'c'], removed: undefined },
      { process: 'd1', ids: [], removed: ['a', 'c'] },
      { process: 'd1', ids: ['b'], removed: undefined },
    ]);
  });

  it('keep what the app showed even when it later changes the objects it handed out', () => {
    const history = new History();
    const shown = folder('a', 't:d1:w1');
    history.appendRead(1, 'd1', 'boot', [shown]);
    shown.fields['name'] = 't:d1:w2';
    history.appendRead(2, 'd1', 'user', [shown]);

    expect(reads(history).map((read) => read.records.map((record) => record.fields['name']))).toEqual([['t:d1:w1'], ['t:d1:w2']]);
  });

  it('rebuild into the whole of what each device showed at each read', () => {
    const history = new History();
    const shown = [
      [folder('a', 't:d1:w1'), folder('b', 't:d1:w2')],
      [folder('b', 't:d2:w1', 'pending'), folder('c', 't:d1:w3')],
      [folder('c', 't:d1:w3')],
    ];
    for (const [index, records] of shown.entries()) history.appendRead(index, 'd1', index === 0 ? 'boot' : 'user', records);
    const viewAfter = shownViews();

    expect(reads(history).map((read) => [...viewAfter(read).values()])).toEqual(shown);
  });

  it('record, look after look, exactly what changed, whether the app hands out the same frozen objects, new ones or lists an id twice', () => {
    let state = 7;
    const roll = (below: number) => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state % below;
    };
    const history = new History();
    let list: VisibleRecord[] = [];
    let made = 0;
    const expected: { records: VisibleRecord[]; removed: string[] }[] = [];
    let view = new Map<string, VisibleRecord>();
    let order: string[] = [];
    for (let look = 0; look < 400; look++) {
      const next = list.filter(() => roll(12) !== 0);
      for (let index = 0; index < next.length; index++) {
        const record = next[index] as VisibleRecord;
        if (roll(8) === 0) next[index] = Object.freeze({ ...record, fields: Object.freeze({ name: `t:d1:w${++made}` }) });
        else if (roll(10) === 0) next[index] = Object.freeze({ ...record, fields: Object.freeze({ ...record.fields }) });
        else if (roll(40) === 0) next[index] = { ...record, fields: { ...record.fields } };
      }
      for (let added = roll(4); added > 0; added--) next.splice(roll(next.length + 1), 0, Object.freeze(folder(`r${++made}`, `t:d1:w${made}`)));
      if (roll(30) === 0 && next.length > 0) next.splice(roll(next.length), 0, next[roll(next.length)] as VisibleRecord);
      if (roll(25) === 0) next.reverse();
      history.appendRead(look, 'd1', look === 0 ? 'boot' : 'user', next);
      const now = new Map(next.map((record) => [record.id, record]));
      const differs = (record: VisibleRecord) => JSON.stringify(view.get(record.id)) !== JSON.stringify(record);
      expected.push({ records: next.filter(differs), removed: order.filter((id) => !now.has(id)) });
      view = now;
      order = [...new Set(next.map((record) => record.id))];
      list = [...now.values()];
    }

    expect(reads(history).map(({ records, removed }) => ({ records, removed: removed ?? [] }))).toEqual(expected);
  });

  it('record the same looks from the app’s splices as from comparing the lists, and compare the lists when the splices do not fit them', () => {
    const rng = createRng(11, 'history-splices');
    const withSplices = new History();
    const withoutSplices = new History();
    let list: VisibleRecord[] = [];
    let made = 0;
    const fresh = () => Object.freeze(folder(`r${++made}`, `t:d1:w${made}`));
    for (let look = 0; look < 400; look++) {
      const next = list.slice();
      const splices: ListSplice[] = [];
      const splice = (at: number, removed: 0 | 1, record?: VisibleRecord) => {
        if (record) next.splice(at, removed, record);
        else next.splice(at, removed);
        splices.push({ at, removed, ...(record && { record }) });
      };
      for (let step = rng.int(0, 4); step > 0; step--) {
        const kind = rng.int(0, 5);
        if (kind === 0 && next.length > 0) splice(rng.int(0, next.length - 1), 1);
        else if (kind === 1 && next.length > 0) {
          const at = rng.int(0, next.length - 1);
          const record = next[at] as VisibleRecord;
          // a new object: changed, or alike (the history then records nothing of it)
          splice(at, 1, Object.freeze({ ...record, fields: Object.freeze(rng.chance(0.5) ? { name: `t:d1:w${++made}` } : { ...record.fields }) }));
        } else if (kind === 2 && next.length > 1) {
          // a record moved: taken out, put back elsewhere as the same object
          const record = next[rng.int(0, next.length - 1)] as VisibleRecord;
          splice(next.indexOf(record), 1);
          splice(rng.int(0, next.length), 0, record);
        } else if (kind === 3 && next.length > 0 && rng.chance(0.1)) splice(rng.int(0, next.length), 0, next[rng.int(0, next.length - 1)]);
        else splice(rng.int(0, next.length), 0, fresh());
      }
      // now and then splices that do not fit the list: one left out that changes its length, or a record put elsewhere than the list has it
      const told = rng.chance(0.05) && splices.length > 0 ? splices.slice(1) : splices;
      const misplaced = rng.chance(0.05) ? told.map((each) => (each.record ? { ...each, record: fresh() } : each)) : told;
      const from = list;
      withSplices.appendRead(look, 'd1', look === 0 ? 'boot' : 'user', next, (previous) => (previous === from ? misplaced : undefined));
      withoutSplices.appendRead(look, 'd1', look === 0 ? 'boot' : 'user', next);
      list = next;
    }
    const looks = reads(withoutSplices);
    expect(looks.filter((read) => read.records.length > 0 || (read.removed?.length ?? 0) > 0).length).toBeGreaterThan(300);
    expect(reads(withSplices)).toEqual(looks);
    expect(withSplices.hash()).toBe(withoutSplices.hash());
  });
});
