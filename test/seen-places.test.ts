import { describe, expect, it } from 'vitest';
import type { Fields, VisibleRecord } from '../src/adapter.ts';
import { FOLDER, NOTE, OTHER, SeenPlaces } from '../src/device/seen-places.ts';
import { createRng, type Rng } from '../src/sim/rng.ts';

/** The facts of `records` worked out afresh, as the workload read them before it kept them from look to look. */
function factsAfresh(records: readonly VisibleRecord[], createdHere: ReadonlySet<string>) {
  const used = new Set(records.filter((record) => record.entity === 'note').map((record) => record.fields.folderId));
  return {
    kinds: records.map((record) => (record.entity === 'note' ? NOTE : record.entity === 'folder' ? FOLDER : OTHER)),
    createdHere: records.map((record) => Number(createdHere.has(record.id))),
    inUse: records.map((record) => used.has(record.id)),
  };
}

function factsKept(places: SeenPlaces, length: number) {
  return {
    kinds: [...places.kindAt],
    createdHere: [...places.createdHereAt],
    inUse: Array.from({ length }, (_, at) => places.inUse(at)),
  };
}

/** An app's next list: records made, removed, edited, moved, repeated, handed out unfrozen or changed in place after. */
function nextList(rng: Rng, list: VisibleRecord[], made: () => VisibleRecord): VisibleRecord[] {
  const next = list.slice();
  for (let change = rng.int(0, 12); change > 0; change--) {
    const at = rng.int(0, Math.max(0, next.length - 1));
    const record = next[at];
    const roll = rng.int(0, 7);
    if (roll <= 1 || !record) next.splice(rng.int(0, next.length), 0, made());
    else if (roll === 2) next.splice(at, rng.int(1, 3));
    else if (roll === 3) next[at] = Object.freeze({ ...record, fields: Object.freeze({ ...record.fields, title: `t${rng.int(0, 1e6)}` }) });
    else if (roll === 4) next.splice(rng.int(0, next.length), 0, ...next.splice(at, 1));
    else if (roll === 5) next.splice(rng.int(0, next.length), 0, record);
    else if (roll === 6) next[at] = { ...record, fields: { ...record.fields } };
    else if (!Object.isFrozen(record)) Object.assign(record, { entity: record.entity === 'note' ? 'folder' : 'note' });
  }
  return next;
}

describe('the places a user saw', () => {
  it('hold, look after look, the facts a fresh reading of the list gives, whatever the app changes between looks', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rng = createRng(seed, 'seen-places');
      const createdHere = new Set<string>();
      const places = new SeenPlaces(createdHere);
      let count = 0;
      const folderIds: string[] = ['f0'];
      const made = (): VisibleRecord => {
        const id = `r${seed}-${count++}`;
        const entity = rng.chance(0.3) ? 'folder' : rng.chance(0.95) ? 'note' : ('tag' as VisibleRecord['entity']);
        if (entity === 'folder') folderIds.push(id);
        const fields: Fields = entity === 'note' ? { title: id, folderId: rng.pick(folderIds) } : { name: id };
        const record: VisibleRecord = { entity, id, status: 'synced', fields };
        return rng.chance(0.9) ? Object.freeze({ ...record, fields: Object.freeze(fields) }) : record;
      };
      let list: VisibleRecord[] = [];
      for (let look = 0; look < 60; look++) {
        list = nextList(rng, list, made);
        places.look(list);
        expect(factsKept(places, list.length), `seed ${seed}, look ${look}`).toEqual(factsAfresh(list, createdHere));
        // made here since: records of the list just seen (an app that hands out an id it listed before it made it), and new ones
        for (const id of [...list.filter(() => rng.chance(0.05)).map((record) => record.id), `r${seed}-${count}`]) {
          createdHere.add(id);
          places.madeHere(id);
        }
        expect(factsKept(places, list.length), `seed ${seed}, look ${look}, made here since`).toEqual(factsAfresh(list, createdHere));
      }
    }
  });
  it('still mark a record made here that a look showed before, after the list has turned over many times', () => {
    const rng = createRng(3, 'seen-places-turnover');
    const createdHere = new Set<string>();
    const places = new SeenPlaces(createdHere);
    let count = 0;
    const made = (): VisibleRecord => Object.freeze({ entity: 'note', id: `n${count++}`, status: 'synced', fields: Object.freeze({ title: 't', folderId: 'f' }) });
    let list = Array.from({ length: 50 }, made);
    for (let look = 0; look < 100; look++) {
      list = [...list.filter(() => rng.chance(0.2)), ...Array.from({ length: 40 }, made)];
      places.look(list);
      const id = rng.pick(list).id;
      createdHere.add(id);
      places.madeHere(id);
      expect(factsKept(places, list.length), `look ${look}`).toEqual(factsAfresh(list, createdHere));
    }
  });
});
