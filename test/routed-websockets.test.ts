import { describe, expect, it } from 'vitest';
import type { EventLog } from '../src/history/events.ts';
import { loadClient } from '../src/run/client-loader.ts';
import { runScenario } from '../src/run/run.ts';
import { REPO_ROOT } from './cli-helpers.ts';
import { scenarioFrom } from './scenario-helpers.ts';

/** d2 pushes often, so the server pokes d1's socket; d1 is partitioned from 30s to 60s and killed at 90s. */
const WS_LIBRARY = `
name: ws library
devices: 2
duration: 2m
resume: 0ms
system: { client: test/fixtures/ws-library.ts, sync_interval: 10m, debounce: 1s }
workload: { rate: 10/min, mix: { create: 0.6, update: 0.4 } }
faults:
  - { at: 30s, for: 30s, partition: { target: [d1], mode: drop } }
  - { at: 90s, kill: { target: d1, when: any, restart_after: 10s } }
`;

type Seen = { t: number; what: string };

/** d1's socket as its own code logged it, and as its link carried it. */
function d1Socket(events: EventLog): { logged: Seen[]; link: Seen[] } {
  const all = [...events];
  return {
    logged: all.flatMap((event) => (event.type === 'client' && event.process === 'd1' && event.event.startsWith('ws-') ? [{ t: event.t, what: `${event.event} ${JSON.stringify(event.data ?? {})}` }] : [])),
    link: all.flatMap((event) => (event.type === 'message' && event.link === 'd1' && event.label.includes('/v1/pokes') ? [{ t: event.t, what: `${event.label} ${event.fate}` }] : [])),
  };
}

describe('a ws WebSocket opened by library code on a device, in simulation', () => {
  it('crosses the device link: pokes arrive over it, a partition cuts it, a kill cuts it, and the seed replays', async () => {
    const scenario = scenarioFrom(WS_LIBRARY);
    const client = await loadClient(scenario.system, REPO_ROOT);
    const result = await runScenario(scenario, { seed: 2, client });
    const again = await runScenario(scenario, { seed: 2, client });
    expect(result.error).toBeUndefined();
    expect(again.eventLogHash).toBe(result.eventLogHash);
    const { logged, link } = d1Socket(result.history.events);
    const events = [...result.history.events];
    const killedMs = events.find((event) => event.type === 'kill')!.t;
    // opened over the link, and poked through it before the partition
    expect(link.find((seen) => seen.what.startsWith('GET /v1/pokes upgrade'))?.t).toBeLessThan(1000);
    expect(logged.some((seen) => seen.t < 30_000 && seen.what.startsWith('ws-message'))).toBe(true);
    // the partition drops it (1006) at its start, and the reconnects while it lasts fail the same way
    const closes = logged.filter((seen) => seen.what.startsWith('ws-close'));
    expect(closes[0]).toEqual({ t: 30_000, what: 'ws-close {"code":1006}' });
    expect(closes.filter((seen) => seen.t > 30_000 && seen.t < 60_000).length).toBeGreaterThan(10);
    expect(logged.some((seen) => seen.t > 60_000 && seen.t < killedMs && seen.what === 'ws-open {}')).toBe(true);
    // the kill cuts it: the dead process hears no close, and no frame crosses d1's link until the next boot opens a socket
    expect(logged.some((seen) => seen.t >= killedMs && seen.t < killedMs + 10_000)).toBe(false);
    const reopenedMs = link.find((seen) => seen.t > killedMs && seen.what.startsWith('101 /v1/pokes'))!.t;
    expect(link.some((seen) => seen.t > killedMs && seen.t < reopenedMs && seen.what.startsWith('frame'))).toBe(false);
    expect(logged.some((seen) => seen.t > reopenedMs && seen.what.startsWith('ws-message'))).toBe(true);
  });
});
