// A quiescence that runs out of time is recorded as what it saw: which device still had changes
// waiting, how many, since when, and whether its sync() had returned; `liveness` reports exactly that
// instead of "never settled", which it keeps for devices that had nothing waiting yet never stopped changing.
import { describe, expect, it } from 'vitest';
import { checkLiveness } from '../src/check/liveness.ts';
import type { QuiescenceTimeoutEvent } from '../src/history/events.ts';
import { PUSH_PATH } from '../src/protocol/v1.ts';
import { ofType, plainClient, run, withEnv } from './faults-helpers.ts';
import { device, HistoryBuilder, input, note } from './history-builder.ts';

/** A quiescence after the chaos phase that began at 600 s and gave up at 1200 s with d2 holding three changes. */
function timedOut(waits: QuiescenceTimeoutEvent['devices']): HistoryBuilder {
  return new HistoryBuilder().push({ t: 1_200_000, type: 'quiesce-timeout', sinceMs: 600_000, after: 'chaos', devices: waits });
}

describe('liveness after a quiescence that timed out', () => {
  it('names the device, how many records it had waiting and for how long, even when the resume phase later drained them', () => {
    const history = timedOut([
      { device: 'd1', waiting: 0, openConflicts: 0, syncUnreturned: false },
      { device: 'd2', waiting: 3, openConflicts: 1, syncUnreturned: true },
    ]);
    const result = checkLiveness(input(history, [], [device('d1'), device('d2')], { quiesced: false }));
    expect(result.violations.map((violation) => [violation.device, violation.kind, violation.summary])).toEqual([
      [
        'd2',
        'quiesce-timeout',
        'd2 still had 3 records waiting to sync and 1 conflict open when the quiescence after the chaos phase timed out at 20m00s, 10m00s after it began, and its sync() had not returned',
      ],
    ]);
  });

  it('says a device never drained only once, naming the timeout, and names a device still waiting at the end that the timeout did not', () => {
    const history = timedOut([{ device: 'd2', waiting: 1, openConflicts: 0, syncUnreturned: false }]);
    const final = [device('d1', [note('n1', { title: 't:d1:w1' }, 'pending')]), device('d2', [note('n2', { title: 't:d2:w1' }, 'local')])];
    const summaries = checkLiveness(input(history, [], final, { quiesced: false })).violations.map((violation) => violation.summary);
    expect(summaries).toEqual([
      expect.stringMatching(/^d2 still had 1 record waiting to sync when the quiescence after the chaos phase timed out/),
      'd1 never drained after every fault healed: 1 record waiting to sync at the end',
    ]);
  });

  it('keeps "never settled" for devices that had nothing waiting yet kept changing what they show', () => {
    const history = timedOut([{ device: 'd1', waiting: 0, openConflicts: 0, syncUnreturned: false }]);
    const result = checkLiveness(input(history, [], [device('d1')], { quiesced: false }));
    expect(result.violations.map((violation) => violation.summary)).toEqual([expect.stringMatching(/^the devices never settled: nothing was left waiting to sync/)]);
  });
});

describe('a real run whose first quiescence times out', () => {
  it('records what the stuck device had waiting, and liveness reports it as such', async () => {
    // from 50 s on, d1's pushes get no answer and no timeout: its queue is stuck, its sync() never returns
    const stuckPushes = async (scenario: Parameters<typeof plainClient>[0]) =>
      withEnv(await plainClient(scenario), (env) => ({
        ...env,
        fetch: (input, init) => {
          const path = new URL(new Request(input, init).url).pathname;
          return env.deviceId === 'd1' && path === PUSH_PATH && env.now() >= 50_000 ? new Promise<Response>(() => {}) : env.fetch(input, init);
        },
      }));
    const result = await run(
      ['name: stuck queue', 'devices: 2', 'duration: 1m', 'quiesce_timeout: 1m', 'resume: 0ms', 'workload: { rate: 30/min }'],
      { client: stuckPushes },
    );
    const [timeout, ...more] = ofType(result, 'quiesce-timeout');
    expect(more).toEqual([]);
    expect(timeout).toMatchObject({ after: 'chaos', sinceMs: 60_000, t: 120_000 });
    const d1 = timeout!.devices.find((wait) => wait.device === 'd1');
    expect(d1?.syncUnreturned).toBe(true);
    expect(d1?.waiting).toBeGreaterThan(0);
    expect(timeout!.devices.find((wait) => wait.device === 'd2')).toEqual({ device: 'd2', waiting: 0, openConflicts: 0, syncUnreturned: false });
    const liveness = result.violations.filter((violation) => violation.checker === 'liveness' && violation.kind === 'quiesce-timeout');
    expect(liveness.map((violation) => violation.summary)).toEqual([
      `d1 still had ${d1!.waiting} record${d1!.waiting === 1 ? '' : 's'} waiting to sync when the quiescence after the chaos phase timed out at 2m00s, 1m00s after it began, and its sync() had not returned`,
    ]);
    expect(result.violations.map((violation) => violation.summary)).not.toContainEqual(expect.stringContaining('never settled'));
  });
});
