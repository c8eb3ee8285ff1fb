// Server faults: a batch that fails part-way (partial), single changes rejected (reject), and a
// server restart that refuses connections while down and keeps its data and its idempotency.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FaultyServer } from '../src/faults/faulty-server.ts';
import { PUSH_PATH, type Change, type PushResponse } from '../src/protocol/v1.ts';
import { createReferenceServer } from '../src/reference/server/server.ts';
import { createRng } from '../src/sim/rng.ts';
import { clientEvents, faultEvents, messages, pushResults, pushesSent, run, window } from './faults-helpers.ts';

const openDbs: Database.Database[] = [];
afterEach(() => {
  for (const db of openDbs.splice(0)) db.close();
});

function createFolder(n: number): Change {
  return { changeId: `c${n}`, entity: 'folder', id: `f${n}`, changeType: 'create', fields: { name: `t:d1:w${n}` }, baseVersion: 0, clientTime: n };
}

function push(server: FaultyServer, changes: Change[]): Promise<Response> {
  return server.handle(new Request(`http://sync-server.test${PUSH_PATH}`, { method: 'POST', body: JSON.stringify({ deviceId: 'd1', changes }) }));
}

const ONE_WRITER = ['devices: 1', 'duration: 3m', 'workload: { rate: 15/min, mix: { create: 1, update: 1 } }'];

describe('batch_failure partial', () => {
  it('applies exactly the first k changes of a push and answers 500; a replay then finds those k duplicate and applies the rest', async () => {
    const db = new Database(':memory:');
    openDbs.push(db);
    const server = new FaultyServer(createReferenceServer(db), createRng(1, 'server-faults'));
    const changes = [1, 2, 3, 4].map(createFolder);
    server.setBatchFailure({ mode: 'partial', appliedCount: 2, rejectShare: 0 });
    const failed = await push(server, changes);
    expect(failed.status).toBe(500);
    expect(((await failed.json()) as { error: string }).error).toBe('injected failure after 2 changes');
    expect((await server.records()).map((record) => record.id).sort()).toEqual(['f1', 'f2']);
    server.setBatchFailure(undefined);
    const replay = (await (await push(server, changes)).json()) as PushResponse;
    expect(replay.results.map((result) => result.status)).toEqual(['duplicate', 'duplicate', 'applied', 'applied']);
    expect((await server.records()).map((record) => record.id).sort()).toEqual(['f1', 'f2', 'f3', 'f4']);
  });

  it('in a run: every push meanwhile is answered 500, the client retries, and after the heal the first k of each failed push come back duplicate and the rest applied', async () => {
    const result = await run([
      'name: partial batch',
      ...ONE_WRITER,
      'faults:',
      '  - { at: 30s, for: 1m, batch_failure: { mode: partial, applied: 2 } }',
    ]);
    const { start, stop } = window(result, 'batch_failure');
    const answers = clientEvents(result, 'push-answered', 'd1');
    const during = answers.filter((answer) => answer.t >= start && answer.t < stop);
    expect(during.length).toBeGreaterThan(2);
    for (const answer of during) expect(answer.data).toMatchObject({ status: 500, results: [] });
    // the client sent the same changes again and again, more of them each time, while it failed
    const failedPushes = pushesSent(result, 'd1').filter((sent) => sent.t >= start && sent.t < stop);
    expect(Math.max(...failedPushes.map((sent) => sent.changeIds.length))).toBeGreaterThan(2);
    const appliedByTheFault = new Set(failedPushes.flatMap((sent) => sent.changeIds.slice(0, 2)));
    const firstAnswer = new Map<string, string>();
    for (const answer of pushResults(result, 'd1')) if (!firstAnswer.has(answer.changeId)) firstAnswer.set(answer.changeId, answer.status);
    for (const changeId of new Set(failedPushes.flatMap((sent) => sent.changeIds))) {
      expect(firstAnswer.get(changeId), `change ${changeId}`).toBe(appliedByTheFault.has(changeId) ? 'duplicate' : 'applied');
    }
    expect(result.verdict).toBe('pass');
  });
});

describe('pushes the fault layer reads', () => {
  /** A push, and how many times its body is parsed while `server` takes it: once by the server, once more by a fault layer that reads it. */
  async function parsesOf(server: FaultyServer, changes: Change[]): Promise<{ status: number; parses: number }> {
    const body = JSON.stringify({ deviceId: 'd1', changes });
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const { status } = await server.handle(new Request(`http://sync-server.test${PUSH_PATH}`, { method: 'POST', body }));
      return { status, parses: parse.mock.calls.filter(([text]) => text === body).length };
    } finally {
      parse.mockRestore();
    }
  }

  it('reads each push while a batch failure may come, and none once told that none will; a failure set all the same still fails the batch', async () => {
    const db = new Database(':memory:');
    openDbs.push(db);
    const server = new FaultyServer(createReferenceServer(db), createRng(1, 'server-faults'));
    expect(await parsesOf(server, [createFolder(1)])).toEqual({ status: 200, parses: 2 });

    server.stopWatchingPushes();
    expect(await parsesOf(server, [createFolder(2)])).toEqual({ status: 200, parses: 1 });

    server.setBatchFailure({ mode: 'partial', appliedCount: 0, rejectShare: 0 });
    expect(await parsesOf(server, [createFolder(3)])).toEqual({ status: 500, parses: 1 });
    expect((await server.records()).map((record) => record.id).sort()).toEqual(['f1', 'f2']);
  });
});

describe('batch_failure reject', () => {
  it('rejects single changes with a reason, which the client surfaces as failed records with that reason', async () => {
    const result = await run([
      'name: reject',
      'devices: 2',
      'duration: 3m',
      'workload: { rate: 15/min, mix: { create: 1 } }',
      'faults:',
      '  - { at: 30s, for: 1m, batch_failure: { mode: reject, reject_share: 0.5 } }',
    ]);
    const { start, stop } = window(result, 'batch_failure');
    const REASON = 'injected: the server rejected this change';
    const answers = pushResults(result);
    const injected = answers.filter((answer) => answer.reason === REASON);
    const during = answers.filter((answer) => answer.t >= start && answer.t < stop);
    // some changes of a push are rejected, the others go through
    expect(injected.length).toBeGreaterThan(0);
    expect(during.some((answer) => answer.status === 'applied')).toBe(true);
    for (const answer of injected) {
      expect(answer.status).toBe('rejected');
      expect(answer.t).toBeGreaterThanOrEqual(start);
      expect(answer.t).toBeLessThan(stop);
    }
    const rejectedRecords = new Set(
      clientEvents(result, 'change-rejected')
        .filter((event) => event.data?.['reason'] === REASON)
        .map((event) => event.data?.['id'] as string),
    );
    expect(rejectedRecords.size).toBe(injected.length);
    const { devices, server } = result.finalStates!;
    for (const id of rejectedRecords) {
      const shown = devices.flatMap((device) => device.records).filter((record) => record.id === id);
      expect(shown, `record ${id} stays on the device that made it`).toHaveLength(1);
      expect(shown[0]).toMatchObject({ status: 'failed', reason: REASON });
      expect(server.some((record) => record.id === id)).toBe(false);
    }
    expect(result.verdict).toBe('pass');
  });
});

describe('server_restart', () => {
  it('refuses connections while down; committed data and idempotency survive the restart', async () => {
    const result = await run([
      'name: server restart',
      'devices: 2',
      'duration: 3m',
      'system: { request_timeout: 5s }',
      'workload: { rate: 15/min, mix: { create: 1, update: 1 } }',
      'faults:',
      // d1's answers are lost just before the restart, so its retries reach the new server process
      '  - { at: 20s, for: 15s, partition: { target: d1, mode: response-lost } }',
      '  - { at: 30s, server_restart: { down: 20s } }',
    ]);
    const [start] = faultEvents(result, 'server_restart');
    const downFrom = start!.t;
    const upAt = downFrom + 20_000;
    const answers = messages(result).filter((m) => m.direction === 'to-device' && m.fate === 'sent');
    const refused = answers.filter((m) => m.label.startsWith('refused '));
    expect(refused.length).toBeGreaterThan(0);
    // every request that reached the server while it was down was refused; none before or after
    for (const answer of answers) {
      const down = answer.t >= downFrom && answer.t < upAt;
      expect(answer.label.startsWith('refused '), `${answer.label} at ${answer.t}`).toBe(down);
    }
    expect(clientEvents(result, 'sync-failed').some((event) => event.t >= downFrom && event.t < upAt)).toBe(true);
    // committed data survives: each change applied before the restart is still on the server at the end
    const server = new Map(result.finalStates!.server.map((record) => [record.id, record]));
    const appliedBefore = pushesSent(result).flatMap((sent) => sent.changeIds.map((changeId, index) => ({ changeId, id: sent.objectIds[index]! })));
    const results = pushResults(result);
    const committed = results.filter((answer) => answer.status === 'applied' && answer.t < downFrom);
    expect(committed.length).toBeGreaterThan(0);
    for (const answer of committed) {
      const id = appliedBefore.find((change) => change.changeId === answer.changeId)!.id;
      expect(server.get(id)?.version ?? 0, `record ${id}`).toBeGreaterThanOrEqual(answer.version!);
    }
    // idempotency survives: d1's changes applied by the old process (answers lost) come back duplicate from the new one
    const sentBeforeRestart = new Set(pushesSent(result, 'd1').filter((sent) => sent.t >= 20_000 && sent.t < downFrom).flatMap((sent) => sent.changeIds));
    const replayed = pushResults(result, 'd1').filter((answer) => sentBeforeRestart.has(answer.changeId));
    expect(replayed.length).toBeGreaterThan(0);
    for (const answer of replayed) {
      expect(answer.t).toBeGreaterThanOrEqual(upAt);
      expect(answer.status).toBe('duplicate');
    }
    expect(result.verdict).toBe('pass');
  });
});
