// When the reference client syncs: the backoff schedule (growth, cap, deterministic jitter), the
// hourly retry budget (one for all of an hour's outages), a periodic timer that never bypasses the
// backoff, pull-to-refresh that retries at once, and the debounced sync after local writes.
import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../src/reference/client/client.ts';
import { createReferenceServer } from '../src/reference/server/server.ts';
import { createRng } from '../src/sim/rng.ts';
import { advance, armedTimers, bootDevice, byId, eventsNamed, newDb, SYNC_INTERVAL_MS, type TestDevice } from './reference-client-helpers.ts';

const RETRY = { baseMs: 1_000, maxMs: 30_000 };
const HOUR_MS = 3_600_000;

function pushCount(device: TestDevice): number {
  return device.requests.filter((request) => request === 'POST /v1/push').length;
}

describe('backoffDelayMs', () => {
  it('doubles its ceiling with each failure from baseMs and caps it at maxMs', () => {
    const lowest = [1, 2, 3, 4, 5, 6, 7, 8].map((failures) => backoffDelayMs(failures, RETRY, () => 0));
    const highest = [1, 2, 3, 4, 5, 6, 7, 8].map((failures) => backoffDelayMs(failures, RETRY, () => 1));
    expect(lowest).toEqual([500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000]);
    expect(highest).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(backoffDelayMs(10_000, RETRY, () => 1)).toBe(30_000);
  });

  it('jitters between half the ceiling and the ceiling, the same way for the same random stream', () => {
    const schedule = (seed: number) => {
      const rng = createRng(seed, 'client:device-1');
      return Array.from({ length: 12 }, (_, index) => backoffDelayMs(index + 1, RETRY, rng.next));
    };
    expect(schedule(7)).toEqual(schedule(7));
    expect(schedule(7)).not.toEqual(schedule(8));
    schedule(7).forEach((delayMs, index) => {
      const ceilingMs = Math.min(RETRY.maxMs, RETRY.baseMs * 2 ** index);
      expect(delayMs).toBeGreaterThanOrEqual(ceilingMs / 2);
      expect(delayMs).toBeLessThanOrEqual(ceilingMs);
    });
  });

  it('waits nothing and draws nothing before the first failure', () => {
    let draws = 0;
    expect(backoffDelayMs(0, RETRY, () => ++draws)).toBe(0);
    expect(draws).toBe(0);
  });
});

describe('reference client retries', () => {
  it('retries a failing sync on its own with growing, jittered delays, and stops once a sync succeeds', async () => {
    const server = createReferenceServer(newDb());
    const device = await bootDevice(server, 'device-1', newDb(), { retry: { ...RETRY, budgetPerHour: 100 } });
    device.network = 'down';
    const id = await device.client.create('note', { title: 'offline' });
    await device.client.sync();

    for (let failures = 1; failures <= 6; failures++) {
      const failed = eventsNamed(device, 'sync-failed');
      expect(failed).toHaveLength(failures);
      const { retryInMs } = failed.at(-1)?.data as { retryInMs: number };
      const ceilingMs = Math.min(RETRY.maxMs, RETRY.baseMs * 2 ** (failures - 1));
      expect(retryInMs).toBeGreaterThanOrEqual(ceilingMs / 2);
      expect(retryInMs).toBeLessThanOrEqual(ceilingMs);
      await advance(device, retryInMs);
    }
    expect(byId(await device.client.list(), id)?.status).toBe('pending');

    device.network = 'up';
    await advance(device, RETRY.maxMs);
    expect(byId(await device.client.list(), id)?.status).toBe('synced');
    const attempts = pushCount(device);
    await advance(device, HOUR_MS);
    expect(eventsNamed(device, 'sync-failed')).toHaveLength(7);
    expect(pushCount(device)).toBe(attempts); // nothing left to push; the periodic timer only pulls
  });

  it('spends at most budgetPerHour sync attempts per hour while failing, then waits for the window to free', async () => {
    const server = createReferenceServer(newDb());
    const device = await bootDevice(server, 'device-1', newDb(), { retry: { baseMs: 1_000, maxMs: 2_000, budgetPerHour: 4 } });
    device.network = 'down';
    await device.client.create('note', { title: 'offline' });
    const before = device.requests.length;
    await device.client.sync();
    await advance(device, HOUR_MS - 1_000);
    expect(device.requests.length - before).toBe(4);

    await advance(device, 2 * HOUR_MS);
    expect(device.requests.length - before).toBe(12);
  });

  it('spends one hourly budget across outages: a success between them resets the backoff, not the count', async () => {
    const server = createReferenceServer(newDb());
    const budgetPerHour = 6;
    const device = await bootDevice(server, 'device-1', newDb(), { retry: { baseMs: 1_000, maxMs: 2_000, budgetPerHour } });
    const failures = () => eventsNamed(device, 'sync-failed').length;
    device.network = 'down';
    await device.client.create('note', { title: 'first outage' });
    await advance(device, SYNC_INTERVAL_MS + 3_000); // the periodic sync fails, then its retries
    const firstOutage = failures();
    expect(firstOutage).toBeGreaterThan(1);
    expect(firstOutage).toBeLessThan(budgetPerHour);

    device.network = 'up';
    await device.client.sync();
    device.network = 'down';
    await device.client.create('note', { title: 'second outage' });
    await advance(device, HOUR_MS / 2);
    expect(failures()).toBe(budgetPerHour);
  });

  it('keeps the backoff and the budget across an app restart', async () => {
    const server = createReferenceServer(newDb());
    const settings = { retry: { baseMs: 1_000, maxMs: 2_000, budgetPerHour: 3 } };
    const first = await bootDevice(server, 'device-1', newDb(), settings);
    first.network = 'down';
    await first.client.create('note', { title: 'offline' });
    await first.client.sync();
    await advance(first, 10_000); // three failed attempts: the hour's budget is spent

    // The launch sync and a pull-to-refresh always try, even with the budget spent.
    const second = await bootDevice(server, 'device-1', first.db, settings, { network: 'down', nowMs: first.nowMs });
    expect(eventsNamed(second, 'sync-failed').map((event) => event.data?.failures)).toEqual([4, 5]);
    const before = second.requests.length;
    await advance(second, HOUR_MS / 2);
    expect(second.requests.length).toBe(before);
  });

  it('lets the periodic timer sync while all is well but not bypass the backoff while failing', async () => {
    const server = createReferenceServer(newDb());
    const device = await bootDevice(server, 'device-1', newDb(), { retry: { baseMs: 600_000, maxMs: 600_000, budgetPerHour: 20 } });
    const pulls = () => device.requests.filter((request) => request === 'GET /v1/pull').length;
    const healthy = pulls();
    await advance(device, 90_000);
    expect(pulls() - healthy).toBe(3);

    device.network = 'down';
    await device.client.create('note', { title: 'offline' });
    await device.client.sync();
    const failing = device.requests.length;
    await advance(device, 240_000); // eight ticks of the periodic timer, all inside the first backoff (at least 5 min)
    expect(device.requests.length).toBe(failing);
  });

  it('retries at once on sync() (pull-to-refresh) while the backoff timer is still waiting', async () => {
    const server = createReferenceServer(newDb());
    const device = await bootDevice(server, 'device-1', newDb(), { retry: { baseMs: 600_000, maxMs: 600_000, budgetPerHour: 20 } });
    device.network = 'down';
    const id = await device.client.create('note', { title: 'offline' });
    await device.client.sync();
    expect(armedTimers(device)).toContain((eventsNamed(device, 'sync-failed')[0]?.data as { retryInMs: number }).retryInMs);

    device.network = 'up';
    await device.client.sync();
    expect(byId(await device.client.list(), id)?.status).toBe('synced');
  });

  it('syncs debounceMs after the last local write', async () => {
    const server = createReferenceServer(newDb());
    const device = await bootDevice(server, 'device-1', newDb(), { debounceMs: 2_000 });
    const id = await device.client.create('note', { title: 'w1' });
    await advance(device, 1_500);
    await device.client.update('note', id, { title: 'w2' });
    await advance(device, 1_900);
    expect(pushCount(device)).toBe(0);

    await advance(device, 100);
    expect(pushCount(device)).toBeGreaterThan(0);
    expect(byId(await device.client.list(), id)).toMatchObject({ fields: { title: 'w2' }, status: 'synced' });
  });
});
