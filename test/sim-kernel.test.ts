import { describe, expect, it } from 'vitest';
import { DeviceClock } from '../src/sim/clock.ts';
import { Network, type MessageEvent } from '../src/sim/network.ts';
import { uuidFrom } from '../src/adapter.ts';
import { createRng, type Rng } from '../src/sim/rng.ts';
import { Scheduler } from '../src/sim/scheduler.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function draw(rng: Rng, count: number): number[] {
  return Array.from({ length: count }, () => rng.next());
}

describe('rng', () => {
  it('gives the same sequence for the same seed and stream name', () => {
    expect(draw(createRng(42, 'network'), 20)).toEqual(draw(createRng(42, 'network'), 20));
  });

  it('gives different sequences for different stream names or different seeds', () => {
    const base = draw(createRng(42, 'network'), 5);
    expect(draw(createRng(42, 'nemesis'), 5)).not.toEqual(base);
    expect(draw(createRng(43, 'network'), 5)).not.toEqual(base);
  });

  it('keeps streams independent: drawing from stream A never changes stream B', () => {
    const untouched = draw(createRng(7, 'workload:device-2'), 10);

    const a = createRng(7, 'workload:device-1');
    const b = createRng(7, 'workload:device-2');
    const interleaved: number[] = [];
    for (let i = 0; i < 10; i++) {
      draw(a, i + 1); // an uneven number of draws from A between each draw from B
      a.int(0, 100);
      a.pick(['x', 'y']);
      interleaved.push(b.next());
    }
    expect(interleaved).toEqual(untouched);
  });

  it('draws next() in [0, 1)', () => {
    for (const value of draw(createRng(1, 'unit'), 2000)) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });

  it('draws int(min, max) with both bounds inclusive and nothing outside them', () => {
    const rng = createRng(3, 'ints');
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const value = rng.int(5, 8);
      expect(Number.isInteger(value)).toBe(true);
      seen.add(value);
    }
    expect([...seen].sort()).toEqual([5, 6, 7, 8]);
  });

  it('returns the only value when int bounds are equal', () => {
    const rng = createRng(3, 'ints');
    for (let i = 0; i < 50; i++) expect(rng.int(9, 9)).toBe(9);
  });

  it('picks every element of a list eventually, and refuses an empty list', () => {
    const rng = createRng(5, 'pick');
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) seen.add(rng.pick(['a', 'b', 'c']));
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
    expect(() => rng.pick([])).toThrow(/empty/);
  });

  it('draws chance(0) never and chance(1) always', () => {
    const rng = createRng(11, 'chance');
    for (let i = 0; i < 200; i++) {
      expect(rng.chance(0)).toBe(false);
      expect(rng.chance(1)).toBe(true);
    }
  });

  it('draws exponential waits as whole milliseconds of at least 1 with roughly the given mean', () => {
    const rng = createRng(13, 'exp');
    const values = Array.from({ length: 5000 }, () => rng.exponentialMs(200));
    for (const value of values) {
      expect(Number.isInteger(value)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(1);
    }
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(mean).toBeGreaterThan(180);
    expect(mean).toBeLessThan(220);
  });
});

describe('uuidFrom', () => {
  it('gives valid version-4 UUIDs', () => {
    const rng = createRng(99, 'client:device-1');
    for (let i = 0; i < 500; i++) expect(uuidFrom(rng.next)).toMatch(UUID_V4);
  });

  it('gives valid v4 UUIDs even at the extremes of the random source', () => {
    expect(uuidFrom(() => 0)).toBe('00000000-0000-4000-8000-000000000000');
    expect(uuidFrom(() => 0.999999)).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
  });

  it('replays the same ids from the same seeded stream, and different ones from another', () => {
    const ids = (stream: string) => {
      const rng = createRng(5, stream);
      return Array.from({ length: 5 }, () => uuidFrom(rng.next));
    };
    expect(ids('client:device-1')).toEqual(ids('client:device-1'));
    expect(new Set([...ids('client:device-1'), ...ids('client:device-2')]).size).toBe(10);
  });
});

describe('DeviceClock', () => {
  it('reads the simulated time unchanged by default', () => {
    expect(new DeviceClock().read(12_345)).toBe(12_345);
  });

  it('reads offset + (1 + skew) * simNow, rounded to whole milliseconds', () => {
    const clock = new DeviceClock({ offsetMs: 1_000, skew: 0.001 });
    expect(clock.read(0)).toBe(1_000);
    expect(clock.read(10_000)).toBe(11_010);
    expect(clock.read(1_500)).toBe(Math.round(1_000 + 1.001 * 1_500));
    expect(new DeviceClock({ offsetMs: -500, skew: -0.5 }).read(1_000)).toBe(0);
  });

  it('takes a new offset and skew at once, as a clock fault does', () => {
    const clock = new DeviceClock({ offsetMs: 0, skew: 0.01 });
    clock.set({ offsetMs: 60_000, skew: 0.01 });
    expect(clock.read(1_000)).toBe(61_010);
    clock.set({ offsetMs: -30_000, skew: 0 });
    expect(clock.read(1_000)).toBe(-29_000);
    expect(clock.settings()).toEqual({ offsetMs: -30_000, skew: 0 });
  });
});

function newScheduler() {
  const errors: unknown[] = [];
  return { scheduler: new Scheduler((error) => errors.push(error)), errors };
}

describe('Scheduler', () => {
  it('runs events in time order, ties in scheduling order', async () => {
    const { scheduler } = newScheduler();
    const ran: string[] = [];
    scheduler.at(30, () => ran.push('c@30'));
    scheduler.at(10, () => ran.push('a@10'));
    scheduler.at(20, () => ran.push('b1@20'));
    scheduler.at(20, () => ran.push('b2@20'));
    scheduler.at(10, () => ran.push('a2@10'));
    scheduler.at(20, () => ran.push('b3@20'));
    await scheduler.runUntil(100);
    expect(ran).toEqual(['a@10', 'a2@10', 'b1@20', 'b2@20', 'b3@20', 'c@30']);
    expect(scheduler.eventsRun).toBe(6);
  });

  it('keeps order on a larger shuffled schedule', async () => {
    const { scheduler } = newScheduler();
    const rng = createRng(1, 'shuffle');
    const planned: Array<{ time: number; seq: number }> = [];
    const ran: Array<{ time: number; seq: number }> = [];
    for (let seq = 0; seq < 300; seq++) {
      const time = rng.int(0, 40);
      planned.push({ time, seq });
      scheduler.at(time, () => ran.push({ time: scheduler.nowMs, seq }));
    }
    await scheduler.runUntil(1_000);
    expect(ran).toEqual([...planned].sort((x, y) => x.time - y.time || x.seq - y.seq));
  });

  it('sets the current time to each event as it runs, and after() counts from now', async () => {
    const { scheduler } = newScheduler();
    const seen: Array<[string, number]> = [];
    scheduler.at(100, () => {
      seen.push(['first', scheduler.nowMs]);
      scheduler.after(50, () => seen.push(['second', scheduler.nowMs]));
    });
    await scheduler.runUntil(1_000);
    expect(seen).toEqual([
      ['first', 100],
      ['second', 150],
    ]);
  });

  it('never runs an event in the past: at() before now runs at now', async () => {
    const { scheduler } = newScheduler();
    await scheduler.runUntil(500);
    let ranAt: number | undefined;
    scheduler.at(100, () => (ranAt = scheduler.nowMs));
    await scheduler.runUntil(600);
    expect(ranAt).toBe(500);
  });

  it('does not run a cancelled event, and cancelling after it ran does nothing', async () => {
    const { scheduler } = newScheduler();
    const ran: string[] = [];
    const cancelA = scheduler.at(10, () => ran.push('a'));
    scheduler.at(20, () => ran.push('b'));
    const cancelC = scheduler.at(30, () => ran.push('c'));
    cancelA();
    await scheduler.runUntil(25);
    cancelC();
    await scheduler.runUntil(100);
    expect(ran).toEqual(['b']);
    expect(scheduler.eventsRun).toBe(1);
  });

  it('runUntil runs events at exactly endMs, leaves later ones, and sets the time to endMs', async () => {
    const { scheduler } = newScheduler();
    const ran: number[] = [];
    for (const t of [10, 50, 51, 200]) scheduler.at(t, () => ran.push(t));
    await scheduler.runUntil(50);
    expect(ran).toEqual([10, 50]);
    expect(scheduler.nowMs).toBe(50);
    await scheduler.runUntil(150);
    expect(ran).toEqual([10, 50, 51]);
    expect(scheduler.nowMs).toBe(150);
    await scheduler.runUntil(300);
    expect(ran).toEqual([10, 50, 51, 200]);
    expect(scheduler.nowMs).toBe(300);
  });

  it('moves the time to endMs when there is nothing to run', async () => {
    const { scheduler } = newScheduler();
    await scheduler.runUntil(1_234);
    expect(scheduler.nowMs).toBe(1_234);
    expect(scheduler.eventsRun).toBe(0);
  });

  it('stops as soon as the stop predicate holds, without moving time to endMs', async () => {
    const { scheduler } = newScheduler();
    const ran: number[] = [];
    for (const t of [10, 20, 30, 40]) scheduler.at(t, () => ran.push(t));
    await scheduler.runUntil(1_000, () => ran.length >= 2);
    expect(ran).toEqual([10, 20]);
    expect(scheduler.nowMs).toBe(20);
    await scheduler.runUntil(1_000);
    expect(ran).toEqual([10, 20, 30, 40]);
  });

  it('checks the stop predicate after microtasks drain, so async work can decide it', async () => {
    const { scheduler } = newScheduler();
    let done = false;
    const ran: number[] = [];
    scheduler.at(10, () => {
      ran.push(10);
      void (async () => {
        await Promise.resolve();
        await Promise.resolve();
        done = true;
      })();
    });
    scheduler.at(20, () => ran.push(20));
    await scheduler.runUntil(1_000, () => done);
    expect(ran).toEqual([10]);
  });

  it('drains microtasks between events: async work started by A finishes before B at the same time', async () => {
    const { scheduler } = newScheduler();
    const log: string[] = [];
    scheduler.at(10, () => {
      log.push('A start');
      void (async () => {
        for (let hop = 0; hop < 25; hop++) await Promise.resolve();
        await new Promise<void>((resolve) => queueMicrotask(resolve));
        const body = (await new Response(JSON.stringify({ ok: true })).json()) as { ok: boolean };
        await Promise.all([Promise.resolve(1), Promise.resolve(2)]);
        log.push(`A done ${body.ok}`);
      })();
    });
    scheduler.at(10, () => log.push('B same time'));
    scheduler.at(11, () => log.push('C later'));
    await scheduler.runUntil(100);
    expect(log).toEqual(['A start', 'A done true', 'B same time', 'C later']);
  });

  it('lets async work schedule its next event at the time of the event that started it', async () => {
    const { scheduler } = newScheduler();
    const log: Array<[string, number]> = [];
    scheduler.at(10, () => {
      void (async () => {
        await Promise.resolve();
        await Promise.resolve();
        scheduler.after(5, () => log.push(['follow-up', scheduler.nowMs]));
      })();
    });
    scheduler.at(12, () => log.push(['other', scheduler.nowMs]));
    await scheduler.runUntil(100);
    expect(log).toEqual([
      ['other', 12],
      ['follow-up', 15],
    ]);
  });

  it('hands a task that throws to onTaskError and keeps running', async () => {
    const { scheduler, errors } = newScheduler();
    const ran: string[] = [];
    const boom = new Error('boom');
    scheduler.at(10, () => ran.push('before'));
    scheduler.at(20, () => {
      throw boom;
    });
    scheduler.at(30, () => ran.push('after'));
    await expect(scheduler.runUntil(100)).resolves.toBeUndefined();
    expect(errors).toEqual([boom]);
    expect(ran).toEqual(['before', 'after']);
    expect(scheduler.eventsRun).toBe(3);
  });
});

function newNetwork(settings = { latencyMsMin: 10, latencyMsMax: 50 }, seed = 1) {
  const { scheduler, errors } = newScheduler();
  const events: MessageEvent[] = [];
  const network = new Network(scheduler, createRng(seed, 'network'), settings, (event) => events.push(event));
  return { scheduler, network, events, errors };
}

function fates(events: readonly MessageEvent[], messageId: number): string[] {
  return events.filter((event) => event.messageId === messageId).map((event) => event.fate);
}

describe('Network', () => {
  it('starts every link up and delivers after a latency within [min, max]', async () => {
    const { scheduler, network } = newNetwork({ latencyMsMin: 10, latencyMsMax: 50 });
    expect(network.state('device-1')).toBe('up');
    const arrivals: number[] = [];
    for (let i = 0; i < 200; i++) network.send('device-1', 'to-server', `m${i}`, 10, () => arrivals.push(scheduler.nowMs));
    await scheduler.runUntil(1_000);
    expect(arrivals).toHaveLength(200);
    expect(Math.min(...arrivals)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...arrivals)).toBeLessThanOrEqual(50);
    expect(new Set(arrivals).size).toBeGreaterThan(10);
  });

  it('draws the same latencies for the same seed and different ones for another', async () => {
    const arrivalsFor = async (seed: number) => {
      const { scheduler, network } = newNetwork({ latencyMsMin: 1, latencyMsMax: 1_000 }, seed);
      const arrivals: Array<[number, number]> = [];
      for (let i = 0; i < 20; i++) network.send('l', 'to-server', 'm', 1, () => arrivals.push([i, scheduler.nowMs]));
      await scheduler.runUntil(10_000);
      return arrivals;
    };
    const first = await arrivalsFor(7);
    expect(await arrivalsFor(7)).toEqual(first);
    expect(await arrivalsFor(8)).not.toEqual(first);
  });

  it('reports sent then delivered, with the message details', async () => {
    const { scheduler, network, events } = newNetwork();
    network.send('device-1', 'to-device', '200 /v1/pull', 321, () => {});
    await scheduler.runUntil(1_000);
    expect(events).toEqual([
      { fate: 'sent', messageId: 1, link: 'device-1', direction: 'to-device', label: '200 /v1/pull', sizeBytes: 321 },
      { fate: 'delivered', messageId: 1, link: 'device-1', direction: 'to-device', label: '200 /v1/pull', sizeBytes: 321 },
    ]);
  });

  it('drops messages sent on a partitioned link, and only on that link', async () => {
    const { scheduler, network, events } = newNetwork();
    network.setState('device-1', 'partitioned');
    let cutOff = 0;
    let other = 0;
    network.send('device-1', 'to-server', 'lost', 1, () => cutOff++);
    network.send('device-2', 'to-server', 'fine', 1, () => other++);
    await scheduler.runUntil(1_000);
    expect(cutOff).toBe(0);
    expect(other).toBe(1);
    expect(fates(events, 1)).toEqual(['sent', 'dropped']);
    expect(fates(events, 2)).toEqual(['sent', 'delivered']);
  });

  it('queues messages on a held link and delivers them, in order, after release to up', async () => {
    const { scheduler, network, events } = newNetwork({ latencyMsMin: 5, latencyMsMax: 5 });
    network.setState('device-1', 'held');
    const delivered: Array<[string, number]> = [];
    network.send('device-1', 'to-server', 'first', 1, () => delivered.push(['first', scheduler.nowMs]));
    network.send('device-1', 'to-server', 'second', 1, () => delivered.push(['second', scheduler.nowMs]));
    await scheduler.runUntil(1_000);
    expect(delivered).toEqual([]);
    expect(fates(events, 1)).toEqual(['sent', 'held']);

    network.setState('device-1', 'up');
    await scheduler.runUntil(2_000);
    // each released message gets a fresh latency from the moment of release
    expect(delivered).toEqual([
      ['first', 1_005],
      ['second', 1_005],
    ]);
    expect(fates(events, 1)).toEqual(['sent', 'held', 'delivered']);
    expect(fates(events, 2)).toEqual(['sent', 'held', 'delivered']);
  });

  it('drops held messages when the link is released into partitioned', async () => {
    const { scheduler, network, events } = newNetwork();
    network.setState('device-1', 'held');
    let delivered = 0;
    network.send('device-1', 'to-server', 'm', 1, () => delivered++);
    await scheduler.runUntil(100);
    network.setState('device-1', 'partitioned');
    network.setState('device-1', 'up');
    await scheduler.runUntil(1_000);
    expect(delivered).toBe(0);
    expect(fates(events, 1)).toEqual(['sent', 'held', 'dropped']);
  });

  it('does not deliver a message that was in flight when the link went down', async () => {
    const { scheduler, network, events } = newNetwork({ latencyMsMin: 100, latencyMsMax: 100 });
    let delivered = 0;
    network.send('device-1', 'to-server', 'm', 1, () => delivered++);
    scheduler.at(50, () => network.setState('device-1', 'partitioned'));
    scheduler.at(500, () => network.setState('device-1', 'up'));
    await scheduler.runUntil(1_000);
    expect(delivered).toBe(0);
    expect(fates(events, 1)).toEqual(['sent', 'dropped']);
  });

  it('holds a message that arrives while the link is held, and delivers it after release', async () => {
    const { scheduler, network, events } = newNetwork({ latencyMsMin: 100, latencyMsMax: 100 });
    const delivered: number[] = [];
    network.send('device-1', 'to-server', 'm', 1, () => delivered.push(scheduler.nowMs));
    scheduler.at(50, () => network.setState('device-1', 'held'));
    scheduler.at(300, () => network.setState('device-1', 'up'));
    await scheduler.runUntil(1_000);
    expect(delivered).toEqual([400]);
    expect(fates(events, 1)).toEqual(['sent', 'held', 'delivered']);
  });

  it('numbers messages uniquely across links', () => {
    const { network, events } = newNetwork();
    network.send('a', 'to-server', 'x', 1, () => {});
    network.send('b', 'to-device', 'y', 1, () => {});
    network.send('a', 'to-device', 'z', 1, () => {});
    expect(events.map((event) => event.messageId)).toEqual([1, 2, 3]);
  });
});
