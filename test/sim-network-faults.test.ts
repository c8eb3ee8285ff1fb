import { describe, expect, it } from 'vitest';
import { handlerOf, jsonAnswer, type ExchangeServer } from '../src/protocol/settled-exchange.ts';
import { createSimFetch } from '../src/transport/simulated/sim-fetch.ts';
import { Network, type MessageEvent, type NetworkSettings } from '../src/sim/network.ts';
import { createRng, type Rng } from '../src/sim/rng.ts';
import { Scheduler } from '../src/sim/scheduler.ts';

/** Wraps a seeded stream and records every draw as `method(args)`, to pin the order of draws. */
function recording(rng: Rng): { rng: Rng; draws: string[] } {
  const draws: string[] = [];
  return {
    draws,
    rng: {
      next: () => (draws.push('next()'), rng.next()),
      int: (min, max) => (draws.push(`int(${min},${max})`), rng.int(min, max)),
      chance: (p) => (draws.push(`chance(${p})`), rng.chance(p)),
      pick: (items) => (draws.push('pick()'), rng.pick(items)),
      exponentialMs: (meanMs) => (draws.push(`exponentialMs(${meanMs})`), rng.exponentialMs(meanMs)),
    },
  };
}

function newNetwork(settings: NetworkSettings = { latencyMsMin: 10, latencyMsMax: 50 }, seed = 1) {
  const scheduler = new Scheduler((error) => {
    throw error;
  });
  const events: MessageEvent[] = [];
  const { rng, draws } = recording(createRng(seed, 'network'));
  const network = new Network(scheduler, rng, settings, (event) => events.push(event));
  return { scheduler, network, events, draws };
}

function fates(events: readonly MessageEvent[], messageId: number): string[] {
  return events.filter((event) => event.messageId === messageId).map((event) => event.fate);
}

function idsWithFate(events: readonly MessageEvent[], fate: string): number[] {
  return events.filter((event) => event.fate === fate).map((event) => event.messageId);
}

const NO_FAULTS = { lossRate: 0, duplicateRate: 0, reorderMsMax: 0 };

describe('message loss', () => {
  const lostIds = async (seed: number) => {
    const { scheduler, network, events } = newNetwork(undefined, seed);
    network.setMessageFaults('d1', { ...NO_FAULTS, lossRate: 0.3 });
    let delivered = 0;
    for (let i = 0; i < 4_000; i++) network.send('d1', 'to-server', 'm', 1, () => delivered++);
    await scheduler.runUntil(10_000);
    const dropped = idsWithFate(events, 'dropped');
    expect(delivered + dropped.length).toBe(4_000);
    return dropped;
  };

  it('drops roughly the given share of messages, reported as dropped, and never delivers them', async () => {
    const dropped = await lostIds(1);
    expect(dropped.length / 4_000).toBeGreaterThan(0.27);
    expect(dropped.length / 4_000).toBeLessThan(0.33);
  });

  it('drops the same messages for the same seed and other ones for another seed', async () => {
    const first = await lostIds(5);
    expect(await lostIds(5)).toEqual(first);
    expect(await lostIds(6)).not.toEqual(first);
  });

  it('drops on the faulty link only', async () => {
    const { scheduler, network, events } = newNetwork();
    network.setMessageFaults('d1', { ...NO_FAULTS, lossRate: 1 });
    network.send('d1', 'to-server', 'lost', 1, () => {});
    network.send('d2', 'to-server', 'fine', 1, () => {});
    await scheduler.runUntil(1_000);
    expect(fates(events, 1)).toEqual(['sent', 'dropped']);
    expect(fates(events, 2)).toEqual(['sent', 'delivered']);
  });

  it('applies to messages released from a held link, as they go on the wire', async () => {
    const { scheduler, network, events } = newNetwork();
    network.setState('d1', 'held');
    network.send('d1', 'to-server', 'm', 1, () => {});
    network.setMessageFaults('d1', { ...NO_FAULTS, lossRate: 1 });
    network.setState('d1', 'up');
    await scheduler.runUntil(1_000);
    expect(fates(events, 1)).toEqual(['sent', 'held', 'dropped']);
  });

  it('stops when healed', async () => {
    const { scheduler, network, events } = newNetwork();
    network.setMessageFaults('d1', { ...NO_FAULTS, lossRate: 1 });
    network.send('d1', 'to-server', 'lost', 1, () => {});
    network.setMessageFaults('d1', undefined);
    network.send('d1', 'to-server', 'fine', 1, () => {});
    await scheduler.runUntil(1_000);
    expect(fates(events, 1)).toEqual(['sent', 'dropped']);
    expect(fates(events, 2)).toEqual(['sent', 'delivered']);
  });
});

describe('message duplication', () => {
  it('delivers a duplicated message twice, the copy a fresh latency after the original', async () => {
    const { scheduler, network, events } = newNetwork({ latencyMsMin: 10, latencyMsMax: 10 });
    network.setMessageFaults('d1', { ...NO_FAULTS, duplicateRate: 1 });
    const arrivals: number[] = [];
    network.send('d1', 'to-server', 'm', 1, () => arrivals.push(scheduler.nowMs));
    await scheduler.runUntil(1_000);
    expect(arrivals).toEqual([10, 20]);
    expect(fates(events, 1)).toEqual(['sent', 'delivered', 'delivered']);
  });

  it('duplicates roughly the given share, and a copy is never duplicated again', async () => {
    const { scheduler, network, events } = newNetwork();
    network.setMessageFaults('d1', { ...NO_FAULTS, duplicateRate: 0.25 });
    const deliveries = new Map<number, number>();
    for (let i = 1; i <= 4_000; i++) network.send('d1', 'to-server', 'm', 1, () => deliveries.set(i, (deliveries.get(i) ?? 0) + 1));
    await scheduler.runUntil(10_000);
    const counts = [...deliveries.values()];
    expect(counts.length).toBe(4_000);
    expect(Math.max(...counts)).toBe(2);
    const twice = counts.filter((count) => count === 2).length / 4_000;
    expect(twice).toBeGreaterThan(0.22);
    expect(twice).toBeLessThan(0.28);
    expect(idsWithFate(events, 'delivered')).toHaveLength(4_000 + counts.filter((count) => count === 2).length);
  });

  it('lets the link state decide the fate of a copy when it arrives: dropped on a partitioned link', async () => {
    const { scheduler, network, events } = newNetwork({ latencyMsMin: 10, latencyMsMax: 10 });
    network.setMessageFaults('d1', { ...NO_FAULTS, duplicateRate: 1 });
    let delivered = 0;
    network.send('d1', 'to-server', 'm', 1, () => delivered++);
    scheduler.at(15, () => network.setState('d1', 'partitioned'));
    await scheduler.runUntil(1_000);
    expect(delivered).toBe(1);
    expect(fates(events, 1)).toEqual(['sent', 'delivered', 'dropped']);
  });

  it('is tolerated by the simulated fetch: the server sees the request twice, the device gets one answer', async () => {
    const { scheduler, network } = newNetwork({ latencyMsMin: 10, latencyMsMax: 10 });
    network.setMessageFaults('d1', { ...NO_FAULTS, duplicateRate: 1 });
    const seen: string[] = [];
    const exchange: ExchangeServer['exchange'] = async (request) => {
      seen.push(request.body ?? '');
      return jsonAnswer(200, { n: seen.length });
    };
    const server: ExchangeServer = { exchange, handle: handlerOf(exchange), records: async () => [] };
    const simFetch = createSimFetch({
      scheduler,
      network,
      server,
      link: 'd1',
      requestTimeoutMs: 5_000,
      onServerError: (error) => {
        throw error;
      },
    });
    const answers: unknown[] = [];
    scheduler.at(0, () => {
      void simFetch('http://server.test/v1/push', { method: 'POST', body: 'hello' })
        .then((response) => response.json())
        .then((body) => answers.push(body));
    });
    await scheduler.runUntil(10_000);
    expect(seen).toEqual(['hello', 'hello']);
    expect(answers).toEqual([{ n: 1 }]);
  });
});

describe('message reordering', () => {
  const arrivalOrder = async (reorderMsMax: number) => {
    const { scheduler, network } = newNetwork({ latencyMsMin: 20, latencyMsMax: 20 });
    network.setMessageFaults('d1', { ...NO_FAULTS, reorderMsMax });
    const order: number[] = [];
    for (let i = 0; i < 50; i++) scheduler.at(i, () => network.send('d1', 'to-server', `m${i}`, 1, () => order.push(i)));
    await scheduler.runUntil(10_000);
    return order;
  };

  it('keeps order on a fixed latency without it', async () => {
    const order = await arrivalOrder(0);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('lets later messages overtake earlier ones, adding at most reorderMsMax', async () => {
    const order = await arrivalOrder(200);
    expect(order).toHaveLength(50);
    expect(order).not.toEqual([...order].sort((a, b) => a - b));

    const { scheduler, network } = newNetwork({ latencyMsMin: 20, latencyMsMax: 20 });
    network.setMessageFaults('d1', { ...NO_FAULTS, reorderMsMax: 200 });
    const delays: number[] = [];
    for (let i = 0; i < 500; i++) network.send('d1', 'to-server', 'm', 1, () => delays.push(scheduler.nowMs));
    await scheduler.runUntil(10_000);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...delays)).toBeLessThanOrEqual(220);
    expect(Math.max(...delays)).toBeGreaterThan(200);
  });
});

describe('latency override', () => {
  it('replaces the network latency on its link while set, and heals back to it', async () => {
    const { scheduler, network } = newNetwork({ latencyMsMin: 10, latencyMsMax: 50 });
    const arrivals: Array<[string, number]> = [];
    const sendAt = (timeMs: number, link: string, name: string) =>
      scheduler.at(timeMs, () => network.send(link, 'to-server', name, 1, () => arrivals.push([name, scheduler.nowMs - timeMs])));
    network.setMessageFaults('d1', { ...NO_FAULTS, latencyMsMin: 2_000, latencyMsMax: 3_000 });
    for (let i = 0; i < 20; i++) sendAt(0, 'd1', 'slow');
    sendAt(0, 'd2', 'other link');
    scheduler.at(5_000, () => network.setMessageFaults('d1', undefined));
    for (let i = 0; i < 20; i++) sendAt(5_000, 'd1', 'healed');
    await scheduler.runUntil(20_000);

    const delays = (name: string) => arrivals.filter(([n]) => n === name).map(([, delayMs]) => delayMs);
    expect(delays('slow')).toHaveLength(20);
    expect(Math.min(...delays('slow'))).toBeGreaterThanOrEqual(2_000);
    expect(Math.max(...delays('slow'))).toBeLessThanOrEqual(3_000);
    expect(delays('other link')[0]).toBeLessThanOrEqual(50);
    expect(delays('healed')).toHaveLength(20);
    expect(Math.max(...delays('healed'))).toBeLessThanOrEqual(50);
    expect(Math.min(...delays('healed'))).toBeGreaterThanOrEqual(10);
  });

  it('may set one bound only, keeping the network for the other', async () => {
    const { scheduler, network } = newNetwork({ latencyMsMin: 10, latencyMsMax: 50 });
    network.setMessageFaults('d1', { ...NO_FAULTS, latencyMsMin: 50 });
    const arrivals: number[] = [];
    for (let i = 0; i < 10; i++) network.send('d1', 'to-server', 'm', 1, () => arrivals.push(scheduler.nowMs));
    await scheduler.runUntil(1_000);
    expect(arrivals).toEqual(Array(10).fill(50));
  });
});

describe('draws from the network stream', () => {
  const runWith = async (faults: Parameters<Network['setMessageFaults']>[1]) => {
    const { scheduler, network, events, draws } = newNetwork({ latencyMsMin: 1, latencyMsMax: 500 }, 9);
    network.setMessageFaults('d1', faults);
    const arrivals: Array<[number, number]> = [];
    for (let i = 0; i < 100; i++) network.send(i % 2 ? 'd1' : 'd2', 'to-server', 'm', 1, () => arrivals.push([i, scheduler.nowMs]));
    network.setState('d1', 'held');
    for (let i = 100; i < 110; i++) network.send('d1', 'to-device', 'm', 1, () => arrivals.push([i, scheduler.nowMs]));
    scheduler.at(1_000, () => network.setState('d1', 'up'));
    await scheduler.runUntil(10_000);
    return { arrivals, events, draws };
  };

  it('are unchanged by zero-rate faults: one latency per message, the same arrivals, the same events', async () => {
    const without = await runWith(undefined);
    // messages in flight on d1 when it is held are put on the wire again on release: one more latency each
    expect(without.draws.length).toBeGreaterThan(110);
    expect(new Set(without.draws)).toEqual(new Set(['int(1,500)']));
    expect(await runWith({ ...NO_FAULTS })).toEqual(without);
    expect(await runWith({ ...NO_FAULTS, latencyMsMin: 1, latencyMsMax: 500 })).toEqual(without);
  });

  it('come in the documented order: loss, latency, reorder, duplicate, then the copy latency', async () => {
    const { scheduler, network, draws } = newNetwork({ latencyMsMin: 10, latencyMsMax: 50 });
    network.setMessageFaults('d1', { lossRate: 0.5, duplicateRate: 0.5, reorderMsMax: 30, latencyMsMin: 5, latencyMsMax: 6 });
    const shapes = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const before = draws.length;
      network.send('d1', 'to-server', 'm', 1, () => {});
      shapes.add(draws.slice(before).join(' '));
    }
    await scheduler.runUntil(1_000);
    expect([...shapes].sort()).toEqual([
      'chance(0.5)', // lost
      'chance(0.5) int(5,6) int(0,30) chance(0.5)', // delivered once
      'chance(0.5) int(5,6) int(0,30) chance(0.5) int(5,6)', // duplicated
    ]);
  });

  it('replay exactly for the same seed with every fault on', async () => {
    const faults = { lossRate: 0.2, duplicateRate: 0.2, reorderMsMax: 300, latencyMsMin: 5, latencyMsMax: 400 };
    const first = await runWith(faults);
    expect(first.events.some((event) => event.fate === 'dropped')).toBe(true);
    expect(await runWith(faults)).toEqual(first);
  });
});

describe('setMessageFaults', () => {
  it('refuses rates outside [0, 1], a negative reorder and inverted latency bounds', () => {
    const { network } = newNetwork({ latencyMsMin: 10, latencyMsMax: 50 });
    expect(() => network.setMessageFaults('d1', { ...NO_FAULTS, lossRate: 1.5 })).toThrow(RangeError);
    expect(() => network.setMessageFaults('d1', { ...NO_FAULTS, duplicateRate: -0.1 })).toThrow(RangeError);
    expect(() => network.setMessageFaults('d1', { ...NO_FAULTS, lossRate: Number.NaN })).toThrow(RangeError);
    expect(() => network.setMessageFaults('d1', { ...NO_FAULTS, reorderMsMax: -1 })).toThrow(RangeError);
    expect(() => network.setMessageFaults('d1', { ...NO_FAULTS, latencyMsMin: 100 })).toThrow(/min <= max/);
    expect(() => network.setMessageFaults('d1', { ...NO_FAULTS, latencyMsMin: 30, latencyMsMax: 20 })).toThrow(RangeError);
  });

  it('copies the faults it is given, so changing the object later changes nothing', async () => {
    const { scheduler, network, events } = newNetwork();
    const faults = { ...NO_FAULTS, lossRate: 1 };
    network.setMessageFaults('d1', faults);
    faults.lossRate = 0;
    network.send('d1', 'to-server', 'm', 1, () => {});
    await scheduler.runUntil(1_000);
    expect(fates(events, 1)).toEqual(['sent', 'dropped']);
  });
});
