// Server restore: a restored reference server answers a request at another epoch 409 resync, puts a
// lost version back at that very version, makes no new version for the same state again, and the
// reference client's edit made on a lost version survives another device putting that version back first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EPOCH_HEADER, RESYNC_ERROR } from '../src/protocol/v1.ts';
import { createReferenceServer } from '../src/reference/server/server.ts';
import { loadClient } from '../src/run/client-loader.ts';
import { runScenario } from '../src/run/run.ts';
import { parseScenario } from '../src/scenario/index.ts';
import type { HistoryEvent } from '../src/history/events.ts';
import { REPO_ROOT } from './cli-helpers.ts';
import { BASE, change, newDb, pull, pushOne } from './reference-server-helpers.ts';

describe('a restored reference server', () => {
  it('answers a request without sync-epoch, which is made at epoch 1, 409 resync with its version floor and epoch', async () => {
    const server = createReferenceServer(newDb(), { epoch: 2, versionFloor: 5 });
    const response = await server.handle(new Request(`${BASE}/v1/pull?cursor=0`));
    expect(response.status).toBe(409);
    expect(response.headers.get(EPOCH_HEADER)).toBe('2');
    expect(await response.json()).toEqual({ error: RESYNC_ERROR, versionFloor: 5 });
    const atItsEpoch = await server.handle(new Request(`${BASE}/v1/pull?cursor=0`, { headers: { [EPOCH_HEADER]: '2' } }));
    expect(atItsEpoch.status).toBe(200);
  });

  it('puts a lost version back at that version, takes the same state again without a new version, and writes later changes above the floor', async () => {
    // the rules hang on the version floor alone; epoch 1 lets the helpers push without the header
    const server = createReferenceServer(newDb(), { versionFloor: 5 });
    expect(await pushOne(server, change('create', 'n1', { title: 'lost' }, 3))).toMatchObject({ status: 'applied', version: 3 });
    expect(await pushOne(server, change('update', 'n1', { title: 'lost' }, 3))).toMatchObject({ status: 'applied', version: 3 });
    // an edit on the backup's version meets the version put back as a concurrent change, unless it names that version (or a later one) as the lost one it builds on
    expect(await pushOne(server, change('update', 'n1', { title: 'edited' }, 1))).toMatchObject({ status: 'conflict', record: { version: 3 } });
    expect(await pushOne(server, change('update', 'n1', { title: 'edited' }, 1, { lostVersion: 2 }))).toMatchObject({ status: 'conflict', record: { version: 3 } });
    expect(await pushOne(server, change('update', 'n1', { title: 'edited' }, 1, { lostVersion: 3 }))).toMatchObject({ status: 'applied', version: 6 });
    // a delete made on a lost version of a record the server no longer has ends it, at the next version
    expect(await pushOne(server, change('delete', 'n2', {}, 4))).toMatchObject({ status: 'applied', version: 6 });
    const records = (await pull(server, '?cursor=0')).records.map(({ id, version, deleted, fields }) => [id, version, deleted, fields.title]);
    expect(records).toEqual([
      ['n1', 6, false, 'edited'],
      ['n2', 6, true, undefined],
    ]);
  });

  it('takes a create of a later lost version, or a create naming the lost version another device put back, as that record\'s later state', async () => {
    const server = createReferenceServer(newDb(), { versionFloor: 5 });
    expect(await pushOne(server, change('create', 'n1', { title: 'v2' }, 2))).toMatchObject({ status: 'applied', version: 2 });
    // a device that held version 4 saw the record gone at its resync
    expect(await pushOne(server, change('create', 'n1', { title: 'v4' }, 4))).toMatchObject({ status: 'applied', version: 4 });
    // one with an edit on version 4 pushes it as a create on nothing, naming version 4
    expect(await pushOne(server, change('create', 'n1', { title: 'edited' }, 0, { lostVersion: 4 }))).toMatchObject({ status: 'applied', version: 6 });
    expect(await pushOne(server, change('create', 'n1', { title: 'again' }, 0, { lostVersion: 4 }))).toMatchObject({ status: 'rejected', reason: 'record n1 already exists' });
  });

  it('takes a change naming a lost version later than the one from before the restore it holds as made on that one: versions before the restore follow one line', async () => {
    const server = createReferenceServer(newDb(), { versionFloor: 5 });
    // another device put version 3 back first; this one held version 4 with an edit, and saw the record gone (a create) or at version 1 at its resync
    expect(await pushOne(server, change('create', 'n1', { title: 'v3' }, 3))).toMatchObject({ status: 'applied', version: 3 });
    expect(await pushOne(server, change('create', 'n1', { title: 'edited' }, 0, { lostVersion: 4 }))).toMatchObject({ status: 'applied', version: 6 });
    expect(await pushOne(server, change('create', 'n2', { title: 'v3' }, 3))).toMatchObject({ status: 'applied', version: 3 });
    expect(await pushOne(server, change('update', 'n2', { title: 'edited' }, 1, { lostVersion: 4 }))).toMatchObject({ status: 'applied', version: 6 });
    // a change on an earlier lost version than the one held meets what was made since as concurrent
    expect(await pushOne(server, change('create', 'n3', { title: 'v4' }, 4))).toMatchObject({ status: 'applied', version: 4 });
    expect(await pushOne(server, change('update', 'n3', { title: 'edited' }, 1, { lostVersion: 2 }))).toMatchObject({ status: 'conflict', record: { version: 4 } });
    const titles = (await pull(server, '?cursor=0')).records.map(({ id, version, fields }) => [id, version, fields.title]);
    expect(titles).toEqual([
      ['n1', 6, 'edited'],
      ['n2', 6, 'edited'],
      ['n3', 4, 'v4'],
    ]);
  });

  it('answers a lost version put back that meets a later one from before the restore with that record, and writes nothing', async () => {
    const server = createReferenceServer(newDb(), { versionFloor: 5 });
    await pushOne(server, change('create', 'n1', { title: 'v4' }, 4));
    const later = { status: 'applied', version: 4, record: { version: 4, fields: { title: 'v4' } } };
    expect(await pushOne(server, change('update', 'n1', { title: 'v2' }, 2, { lostVersion: 2 }))).toMatchObject(later);
    expect(await pushOne(server, change('create', 'n1', { title: 'v2' }, 2, { lostVersion: 2 }))).toMatchObject(later);
    // without naming it, an update on version 2 is a change concurrent with version 4, for the policy
    expect(await pushOne(server, change('update', 'n1', { title: 'v2' }, 2))).toMatchObject({ status: 'conflict' });
    expect((await pull(server, '?cursor=0')).records.map(({ version, fields }) => [version, fields.title])).toEqual([[4, 'v4']]);
  });

  it('still refuses a change ahead of the record when it was never restored', async () => {
    const server = createReferenceServer(newDb());
    await pushOne(server, change('create', 'n1', { title: 'a' }, 0));
    expect(await pushOne(server, change('update', 'n1', { title: 'b' }, 3))).toMatchObject({ status: 'rejected' });
  });
});

describe('the reference client after a server restore', () => {
  /**
   * The race each case is about: one device put a lost version back at that very version, and later another
   * device's commit of the same record still holds a value that other device wrote before the restore.
   */
  function editsOverAVersionPutBack(events: Iterable<HistoryEvent>): number {
    const log = [...events];
    const restoredMs = log.find((event) => event.type === 'fault' && event.phase === 'start' && event.spec.kind === 'server_restore')?.t ?? Infinity;
    const commits = log.filter((event) => event.type === 'commit');
    const versionsBefore = new Set(commits.filter((commit) => commit.t < restoredMs).map((commit) => `${commit.id}@${commit.version}`));
    const writtenBefore = new Set(log.flatMap((event) => (event.type === 'invoke' && event.t < restoredMs ? Object.values(event.fields ?? {}) : [])));
    return commits.filter(
      (putBack) =>
        putBack.t >= restoredMs &&
        versionsBefore.has(`${putBack.id}@${putBack.version}`) &&
        commits.some((later) => later.t > putBack.t && later.id === putBack.id && later.process !== putBack.process && Object.values(later.fields).some((value) => writtenBefore.has(value) && String(value).startsWith(`t:${later.process}:`))),
    ).length;
  }

  async function judged(text: string, seed: number) {
    const parsed = parseScenario(text, 'restore.yaml');
    if (!parsed.ok) throw new Error('the scenario must parse');
    const result = await runScenario(parsed.scenario, { seed, client: await loadClient(parsed.scenario.system, REPO_ROOT) });
    return { races: editsOverAVersionPutBack(result.history.events), summaries: result.violations.map((violation) => violation.summary) };
  }

  const shipped = readFileSync(join(REPO_ROOT, 'scenarios', 'server-restore.yaml'), 'utf8');
  // the devices and workload of policy-field-merge.yaml and policy-lww.yaml, with a server restore
  const contended = (name: string, system: string) =>
    [
      `name: ${name}`,
      'devices: 4',
      'duration: 15m',
      'quiesce_timeout: 10m',
      `system: ${system}`,
      'workload: { rate: 10/min, contention: 0.7 }',
      'faults: [{ at: 8m, server_restore: { lose: 3m } }]',
      'allow: [overwritten]',
    ].join('\n');
  const fieldMerge = contended('field-merge-restore', '{ conflict: field-merge, ordering: dependency }');
  const lww = contended('lww-restore', '{ conflict: lww }');

  it.each([
    ['an edit made on a lost version survives another device putting that version back first', 4, shipped],
    ['a later lost version of a record the server no longer has goes back over an earlier one another device put back first', 21, shipped],
    ['a later lost version with an edit folded in, of a record the server no longer had, goes on an earlier one another device put back first', 108, shipped],
    ['under field-merge, an edit made on a lost version is no concurrent change to that version put back', 13, fieldMerge],
    ['under lww, an older lost version put back does not win over a later one another device put back first', 22, lww],
  ])('%s (seed %i)', async (_name, seed, text) => {
    const { races, summaries } = await judged(text, seed);
    expect(summaries).toEqual([]);
    expect(races).toBeGreaterThan(0);
  }, 60_000);
});
