// Server restore: a restored reference server answers a request at another epoch 409 resync, puts a
// lost version back at that very version, makes no new version for the same state again, and the
// reference client's edit made on a lost version survives another device putting that version back first.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EPOCH_HEADER, RESYNC_ERROR } from '../src/protocol/v1.ts';
import { createReferenceServer } from '../src/reference/server/server.ts';
import { loadClient } from '../src/run/client-loader.ts';
import { runScenario } from '../src/run/run.ts';
import { loadScenarioFile } from '../src/scenario/index.ts';
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
    // a device with an edit on the backup's version meets the version put back, as the one it builds on
    expect(await pushOne(server, change('update', 'n1', { title: 'edited' }, 1))).toMatchObject({ status: 'conflict', record: { version: 3 } });
    expect(await pushOne(server, change('update', 'n1', { title: 'edited' }, 3))).toMatchObject({ status: 'applied', version: 6 });
    // a delete made on a lost version of a record the server no longer has ends it, at the next version
    expect(await pushOne(server, change('delete', 'n2', {}, 4))).toMatchObject({ status: 'applied', version: 6 });
    const records = (await pull(server, '?cursor=0')).records.map(({ id, version, deleted, fields }) => [id, version, deleted, fields.title]);
    expect(records).toEqual([
      ['n1', 6, false, 'edited'],
      ['n2', 6, true, undefined],
    ]);
  });

  it('still refuses a change ahead of the record when it was never restored', async () => {
    const server = createReferenceServer(newDb());
    await pushOne(server, change('create', 'n1', { title: 'a' }, 0));
    expect(await pushOne(server, change('update', 'n1', { title: 'b' }, 3))).toMatchObject({ status: 'rejected' });
  });
});

describe('the reference client after a server restore', () => {
  it('keeps an edit made on a lost version when another device puts that version back first (server-restore seed 4)', async () => {
    const loaded = loadScenarioFile(join(REPO_ROOT, 'scenarios', 'server-restore.yaml'));
    if (!loaded.ok) throw new Error('server-restore.yaml must load');
    const { scenario } = loaded;
    const result = await runScenario(scenario, { seed: 4, client: await loadClient(scenario.system, join(REPO_ROOT, 'scenarios')) });
    const logged = [...result.history.events].flatMap((event) => (event.type === 'client' ? [event.event] : []));
    // the race happened: every device resynced, and one edit went again on the version put back
    expect(logged.filter((event) => event === 'server-restored')).toHaveLength(3);
    expect(logged).toContain('restored-version-met');
    expect(result.violations.map((violation) => violation.summary)).toEqual([]);
  }, 60_000);
});
