// Network faults: partitions (drop, hold, response-lost) and message faults (loss, duplicate,
// latency, reorder), each pinned on the message fates of a short run's history.
import { describe, expect, it } from 'vitest';
import type { MessageLogEvent } from '../src/history/events.ts';
import type { RunResult } from '../src/check/verdict.ts';
import { clientEvents, messages, pushResults, pushesSent, run, window } from './faults-helpers.ts';

/** Each message's fates in order, by message id. */
function fates(events: readonly MessageLogEvent[]): Map<number, MessageLogEvent[]> {
  const byId = new Map<number, MessageLogEvent[]>();
  for (const event of events) byId.set(event.messageId, [...(byId.get(event.messageId) ?? []), event]);
  return byId;
}

/**
 * A lost answer was retried and the retry answered `duplicate`, and every change took effect once:
 * with one device and no concurrent writer, a record's server version counts its changes exactly.
 */
function expectRetriedAsDuplicates(result: RunResult, lostFrom: number, lostUntil: number): void {
  const results = pushResults(result, 'd1');
  const sentWhileLost = new Set(pushesSent(result, 'd1').filter((push) => push.t >= lostFrom && push.t < lostUntil).flatMap((push) => push.changeIds));
  expect(sentWhileLost.size).toBeGreaterThan(0);
  // no answer got through while it lasted
  expect(results.filter((answer) => answer.t >= lostFrom && answer.t < lostUntil)).toEqual([]);
  const duplicates = results.filter((answer) => answer.status === 'duplicate');
  expect(duplicates.length).toBeGreaterThan(0);
  for (const duplicate of duplicates) {
    expect(duplicate.t).toBeGreaterThanOrEqual(lostUntil);
    expect(sentWhileLost.has(duplicate.changeId), 'only a change whose answer was lost comes back duplicate').toBe(true);
  }
  // each change is answered once, as applied or as duplicate
  const answered = results.map((answer) => answer.changeId);
  expect(new Set(answered).size).toBe(answered.length);
  const changesOf = new Map<string, Set<string>>();
  const acknowledged = new Set(results.filter((answer) => answer.status === 'applied' || answer.status === 'duplicate').map((answer) => answer.changeId));
  for (const push of pushesSent(result, 'd1')) {
    push.changeIds.forEach((changeId, index) => {
      if (!acknowledged.has(changeId)) return;
      const id = push.objectIds[index]!;
      changesOf.set(id, (changesOf.get(id) ?? new Set()).add(changeId));
    });
  }
  expect(result.finalStates!.server.length).toBeGreaterThan(0);
  for (const record of result.finalStates!.server) {
    expect(record.version, `server version of ${record.id}: one per change of it`).toBe(changesOf.get(record.id)?.size ?? 0);
  }
  expect(result.verdict).toBe('pass');
}

const ONE_DEVICE = ['devices: 1', 'duration: 3m', 'system: { request_timeout: 5s }', 'workload: { rate: 12/min, mix: { create: 1, update: 2 } }'];

describe('a lost push response', () => {
  it('(partition response-lost) leads to a retry that the server answers duplicate, and the change is applied once', async () => {
    const result = await run(['name: response lost', ...ONE_DEVICE, 'faults:', '  - { at: 30s, for: 40s, partition: { target: d1, mode: response-lost } }']);
    const { start, stop } = window(result, 'partition');
    // requests still reach the server; every answer sent back meanwhile is lost
    const d1 = messages(result, 'd1');
    const during = d1.filter((m) => m.t >= start && m.t < stop);
    expect(during.some((m) => m.direction === 'to-server' && m.fate === 'delivered')).toBe(true);
    const answersSent = during.filter((m) => m.direction === 'to-device' && m.fate === 'sent');
    expect(answersSent.length).toBeGreaterThan(0);
    const byId = fates(d1);
    for (const answer of answersSent) expect(byId.get(answer.messageId)!.map((m) => m.fate)).toEqual(['sent', 'dropped']);
    expect(during.filter((m) => m.direction === 'to-device' && m.fate === 'delivered')).toEqual([]);
    expectRetriedAsDuplicates(result, start, stop);
  });

  it('(batch_failure response-lost) leads to a retry that the server answers duplicate, and the change is applied once', async () => {
    const result = await run(['name: answer lost', ...ONE_DEVICE, 'faults:', '  - { at: 30s, for: 40s, batch_failure: { mode: response-lost } }']);
    const { start, stop } = window(result, 'batch_failure');
    // the server never answers a push meanwhile (pulls are answered): nothing comes back on the wire for it
    const d1 = messages(result, 'd1').filter((m) => m.t >= start && m.t < stop);
    const pushes = d1.filter((m) => m.direction === 'to-server' && m.fate === 'delivered' && m.label === 'POST /v1/push');
    expect(pushes.length).toBeGreaterThan(0);
    expect(d1.filter((m) => m.direction === 'to-device' && m.label.endsWith('/v1/push'))).toEqual([]);
    expect(clientEvents(result, 'sync-failed', 'd1').some((event) => event.t >= start && event.t < stop)).toBe(true);
    expectRetriedAsDuplicates(result, start, stop);
  });
});

describe('a partition', () => {
  it('in hold mode holds every message on the link and delivers each after the heal; none before', async () => {
    const result = await run([
      'name: hold',
      'devices: 2',
      'duration: 3m',
      'workload: { rate: 12/min }',
      'faults:',
      '  - { at: 30s, for: 1m, partition: { target: d1, mode: hold } }',
    ]);
    const { start, stop } = window(result, 'partition');
    const d1 = messages(result, 'd1');
    const held = d1.filter((m) => m.fate === 'held');
    expect(held.filter((m) => m.direction === 'to-server').length).toBeGreaterThan(0);
    for (const message of held) {
      expect(message.t).toBeGreaterThanOrEqual(start);
      expect(message.t).toBeLessThan(stop);
      const delivered = fates(d1).get(message.messageId)!.filter((m) => m.fate === 'delivered');
      // released on heal with a fresh latency from the network's bounds (20ms to 200ms)
      expect(delivered).toHaveLength(1);
      expect(delivered[0]!.t).toBeGreaterThanOrEqual(stop + 20);
      expect(delivered[0]!.t).toBeLessThanOrEqual(stop + 200);
    }
    // nothing crosses the link while it is held, and nothing is lost
    expect(d1.filter((m) => m.fate === 'delivered' && m.t >= start && m.t < stop)).toEqual([]);
    expect(d1.filter((m) => m.fate === 'dropped')).toEqual([]);
    // a held request reaches the server after the heal, which answers it
    const heldRequests = held.filter((m) => m.direction === 'to-server').length;
    const answeredAfterHeal = d1.filter((m) => m.direction === 'to-device' && m.fate === 'sent' && m.t >= stop && m.t <= stop + 200);
    expect(answeredAfterHeal.length).toBeGreaterThanOrEqual(heldRequests);
    // the other device's link is untouched
    expect(messages(result, 'd2').filter((m) => m.fate === 'held' || m.fate === 'dropped')).toEqual([]);
    expect(result.verdict).toBe('pass');
  });

  it('in drop mode loses every message caught on the link, which never arrives, and sends no request until the heal, recording each one it refused', async () => {
    const result = await run([
      'name: drop',
      'devices: 2',
      'duration: 3m',
      'system: { sync_interval: 5s }',
      'workload: { rate: 12/min }',
      'faults:',
      // slow messages, so that some are on the wire when the link goes down
      '  - { at: 0ms, latency: { target: d1, min: 2s, max: 2s } }',
      '  - { at: 30s, for: 1m, partition: { target: d1, mode: drop } }',
    ]);
    const { start, stop } = window(result, 'partition');
    const d1 = messages(result, 'd1');
    const dropped = d1.filter((m) => m.fate === 'dropped');
    expect(dropped.length).toBeGreaterThan(0);
    for (const message of dropped) {
      expect(message.t).toBeGreaterThanOrEqual(start);
      expect(message.t).toBeLessThan(stop);
      expect(fates(d1).get(message.messageId)!.map((m) => m.fate)).toEqual(['sent', 'dropped']);
    }
    expect(d1.filter((m) => m.fate === 'delivered' && m.t >= start && m.t < stop)).toEqual([]);
    // airplane mode: a request fails at once, without going on the wire
    expect(d1.filter((m) => m.direction === 'to-server' && m.fate === 'sent' && m.t >= start && m.t < stop)).toEqual([]);
    expect(clientEvents(result, 'sync-failed', 'd1').some((event) => event.t >= start && event.t < stop)).toBe(true);
    // yet the history keeps each attempt, as a refused request, never as a message on the wire
    const refused = d1.filter((m) => m.fate === 'refused');
    expect(refused.length).toBeGreaterThan(1);
    for (const message of refused) {
      expect(message.t).toBeGreaterThanOrEqual(start);
      expect(message.t).toBeLessThan(stop);
      expect(message).toMatchObject({ direction: 'to-server', label: expect.stringMatching(/^(POST \/v1\/push|GET \/v1\/pull)$/) });
      expect(fates(d1).get(message.messageId)!.map((m) => m.fate)).toEqual(['refused']);
    }
    expect(d1.some((m) => m.direction === 'to-server' && m.fate === 'delivered' && m.t >= stop)).toBe(true);
    expect(messages(result, 'd2').filter((m) => m.fate === 'dropped')).toEqual([]);
    expect(result.verdict).toBe('pass');
  });
});

describe('message faults apply only while active, on their target only', () => {
  const MESSAGE_FAULTS: [string, string, (sent: MessageLogEvent, fates: MessageLogEvent[], active: boolean) => void][] = [
    [
      'loss',
      'loss: { target: d1, rate: 1 }',
      (_, after, active) => expect(after.map((m) => m.fate)).toEqual(active ? ['dropped'] : ['delivered']),
    ],
    [
      'duplicate',
      'duplicate: { target: d1, rate: 1 }',
      (_, after, active) => expect(after.map((m) => m.fate)).toEqual(active ? ['delivered', 'delivered'] : ['delivered']),
    ],
    [
      'latency',
      'latency: { target: d1, min: 5s, max: 5s }',
      (sent, after, active) => {
        const delay = after[0]!.t - sent.t;
        if (active) expect(delay).toBe(5_000);
        else expect(delay).toBeLessThanOrEqual(200);
      },
    ],
    [
      'reorder',
      'reorder: { target: d1, max: 3s }',
      (sent, after, active) => {
        const delay = after[0]!.t - sent.t;
        expect(delay).toBeGreaterThanOrEqual(20);
        expect(delay).toBeLessThanOrEqual(active ? 3_200 : 200);
      },
    ],
  ];

  it.each(MESSAGE_FAULTS)('%s', async (kind, settings, expectFates) => {
    const result = await run([
      `name: ${kind}`,
      'devices: 2',
      'duration: 3m',
      'system: { sync_interval: 10s, request_timeout: 5s }',
      'workload: { rate: 12/min }',
      'faults:',
      `  - { at: 45s, for: 50s, ${settings} }`,
    ]);
    const start = 45_000;
    const stop = 95_000;
    expect(window(result, kind as 'loss')).toEqual({ start, stop });
    const activeDelays: number[] = [];
    for (const link of ['d1', 'd2']) {
      for (const [, [sent, ...after]] of fates(messages(result, link))) {
        const active = link === 'd1' && sent!.t >= start && sent!.t < stop;
        if (active && after[0]) activeDelays.push(after[0].t - sent!.t);
        expect(sent!.fate).toBe('sent');
        expectFates(sent!, after, active);
      }
    }
    expect(activeDelays.length, 'messages were sent while the fault was active').toBeGreaterThan(3);
    // reordering did delay some message beyond the network's own latency
    if (kind === 'reorder') expect(Math.max(...activeDelays)).toBeGreaterThan(200);
  });
});
