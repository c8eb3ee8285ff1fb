import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { defineClient, type ListSplice, type SyncClient, type VisibleRecord } from '../src/adapter.ts';
import { LiveListing } from '../src/reference/client/listing.ts';
import { LocalStore, type LocalRecord } from '../src/reference/client/local-store.ts';
import { migrate } from '../src/reference/client/migrations.ts';
import { createRng } from '../src/sim/rng.ts';
import { runScenario } from '../src/run/run.ts';
import type { Scenario } from '../src/scenario/index.ts';
import { plainClient, run, scenarioOf } from './faults-helpers.ts';

/** What a full read of the live records shows, in the listing's shape. */
function fullRead(db: Database.Database): unknown[] {
  return db
    .prepare<[], { entity: string; id: string; fields: string; server_version: number }>(
      'SELECT entity, id, fields, server_version FROM records WHERE deleted = 0 ORDER BY id',
    )
    .all()
    .map((row) => ({ entity: row.entity, id: row.id, fields: JSON.parse(row.fields), serverVersion: row.server_version, deleted: false }));
}

describe('the reference client’s incremental listing', () => {
  it.each([
    [1, 1],
    [3, 1],
    [3, 4],
  ])('shows what a full read shows on schema v%i, reading after every %i writes, whoever wrote them, and rollbacks taken back', (schemaVersion, writesPerRead) => {
    const db = new Database(':memory:');
    migrate(db, schemaVersion);
    // the in-memory inbox an older schema gets at launch
    if (schemaVersion < 3) db.exec('CREATE TEMP TABLE conflicts (record_id TEXT)');
    const store = new LocalStore(db, schemaVersion);
    const listing = new LiveListing(db, schemaVersion);
    const table = (entity: string) => (schemaVersion >= 3 ? (entity === 'note' ? 'notes' : 'folders') : 'records');
    const rng = createRng(7, 'listing');
    const ids = Array.from({ length: 12 }, (_, index) => `id-${String(index).padStart(2, '0')}`);
    let lastRead: readonly LocalRecord[] = [];
    let splicesKnown = 0;
    // a read, whose splices from the read before (when it knows them) make that one into it
    const read = () => {
      const records = listing.records();
      const splices = listing.splicesBetween(lastRead, records);
      if (splices) {
        const replayed = lastRead.slice();
        for (const { at, removed, record } of splices) replayed.splice(at, removed, ...(record ? [record] : []));
        expect(replayed).toEqual(records);
        splicesKnown++;
      }
      lastRead = records;
      return records;
    };
    for (let step = 0; step < 300; step++) {
      const id = rng.pick(ids);
      const entity = rng.chance(0.5) ? 'note' : 'folder';
      const roll = rng.next();
      if (roll < 0.4) store.put({ entity, id, fields: { name: `v${step}` }, serverVersion: step, deleted: rng.chance(0.2) });
      else if (roll < 0.55) db.prepare(`DELETE FROM ${table(entity)} WHERE id = ?`).run(id);
      else if (roll < 0.7) db.prepare(`UPDATE ${table(entity)} SET id = ? WHERE id = ?`).run(`${id}-moved-${step}`, id);
      else if (roll < 0.85) {
        const rolledBack = () =>
          db.transaction(() => {
            store.put({ entity, id, fields: { name: `lost${step}` }, serverVersion: step, deleted: false });
            throw new Error('rolled back');
          })();
        expect(rolledBack).toThrow('rolled back');
      } else {
        db.transaction(() => {
          store.put({ entity, id, fields: { name: `inside${step}` }, serverVersion: step, deleted: false });
          expect(read()).toEqual(fullRead(db));
        })();
      }
      if (step % writesPerRead === writesPerRead - 1) expect(read(), `step ${step}`).toEqual(fullRead(db));
    }
    // a read inside a transaction lists anew, so the read after it cannot tell its splices
    expect(splicesKnown).toBeGreaterThan(writesPerRead === 1 ? 200 : 30);
  });

  it('hands out the same frozen record object while the row is unchanged, and a new one once it changes', () => {
    const db = new Database(':memory:');
    migrate(db);
    const store = new LocalStore(db, 3);
    const listing = new LiveListing(db, 3);
    store.put({ entity: 'folder', id: 'a', fields: { name: 'one' }, serverVersion: 1, deleted: false });
    const [first] = listing.records();
    expect(Object.isFrozen(first) && Object.isFrozen(first?.fields)).toBe(true);
    store.put({ entity: 'folder', id: 'b', fields: { name: 'other' }, serverVersion: 1, deleted: false });
    expect(listing.records()[0]).toBe(first);
    store.put({ entity: 'folder', id: 'a', fields: { name: 'two' }, serverVersion: 2, deleted: false });
    expect(listing.records()[0]).not.toBe(first);
    expect(listing.records()[0]?.fields).toEqual({ name: 'two' });
  });

  /** The reference client with every answer of listSplices passed through `answer`, which sees the two lists it names. */
  const withSplices =
    (answer: (splices: readonly ListSplice[] | undefined, from: readonly VisibleRecord[], to: readonly VisibleRecord[]) => readonly ListSplice[] | undefined) =>
    async (scenario: Scenario) => {
      const reference = await plainClient(scenario);
      const answering = (client: SyncClient): SyncClient =>
        new Proxy(client, {
          get: (target, key) =>
            key === 'listSplices'
              ? (from: readonly VisibleRecord[], to: readonly VisibleRecord[]) => answer(target.listSplices?.(from, to), from, to)
              : Reflect.get(target, key, target),
        });
      return defineClient({ ...reference, factory: async (env) => answering(await reference.factory(env)) });
    };
  const CHAOS = [
    'devices: 3',
    'duration: 20m',
    'workload: { rate: 20/min, contention: 0.5 }',
    'faults:',
    '  - { at: 2m, for: 3m, batch_failure: { mode: reject, reject_share: 0.3 } }',
    '  - { at: 6m, kill: { target: d1, when: during-write, restart_after: 10s } }',
    '  - { at: 8m, for: 4m, partition: { target: [d2], mode: drop } }',
    '  - { at: 14m, kill: { target: d3, when: during-sync, restart_after: 10s } }',
  ];

  it('tells the splices between its last two lists exactly, through kills, refused changes and conflicts, and says it cannot tell otherwise', async () => {
    let told = 0;
    let untold = 0;
    const checked = withSplices((splices, from, to) => {
      if (!splices) untold++;
      else {
        told++;
        const list = from.slice();
        for (const { at, removed, record } of splices) list.splice(at, removed, ...(record ? [record] : []));
        expect(list.length).toBe(to.length);
        list.forEach((record, at) => expect(record, `place ${at}`).toBe(to[at]));
      }
      return splices;
    });
    const result = await run(['name: splices', ...CHAOS], { client: checked });
    expect(result.verdict).toBe('pass');
    expect(told).toBeGreaterThan(500);
    expect(untold).toBeGreaterThan(0);
  });

  it('fails the run as the system under test when its splices leave out a record changed in place', async () => {
    // the last change in place goes untold: the list keeps its length, and every record the splices bring in is where they put it
    const leaveOut = withSplices((splices) => {
      const inPlace = (splices ?? []).flatMap((splice, at) => (splice.removed === 1 && splice.record ? [at] : []));
      return inPlace.length === 0 ? splices : splices?.filter((_, at) => at !== inPlace.at(-1));
    });
    const scenario = scenarioOf(['name: splices left out', ...CHAOS]);
    const result = await runScenario(scenario, { seed: 1, client: await leaveOut(scenario) });
    expect(result.verdict).toBe('error');
    expect(result.error?.message).toMatch(/^listSplices\(\) does not make the list list\(\) returned of the one before it: at place \d+ they give (folder|note) \S+, list\(\) shows (folder|note) \S+/);
  });
});
