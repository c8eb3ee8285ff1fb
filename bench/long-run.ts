// One run of the standard scenario for `hours` simulated hours (first argument, default 2) in a
// process of its own, so its peak RSS is its own: prints one JSON line with the wall time, the
// simulated time, the CPU time (in all and per simulated hour), the counts and the peak RSS.
import { performance } from 'node:perf_hooks';
import type { ClientDefinition } from '../src/adapter.ts';
import { runScenario } from '../src/run/run.ts';
import { STANDARD_SEED, standardScenario } from './standard.ts';

const HOUR_MS = 3_600_000;
const hours = Number(process.argv[2] ?? '2');
const { scenario, client } = await standardScenario(hours);
const hourlyCpuMs: number[] = [];
const startedMs = performance.now();
const cpuBefore = process.cpuUsage();
const result = await runScenario(scenario, { seed: STANDARD_SEED, client: clockedClient(client) });
const wallMs = performance.now() - startedMs;
const cpuMs = cpuMsSince(cpuBefore);
hourlyCpuMs.push(cpuMs - hourlyCpuMs.reduce((sum, each) => sum + each, 0));
process.stdout.write(
  JSON.stringify({
    hours,
    verdict: result.verdict,
    hash: result.eventLogHash,
    wallMs: Math.round(wallMs),
    /** CPU time of the run (user + system): steadier than wall time on a shared machine. */
    cpuMs: Math.round(cpuMs),
    /** CPU time of each simulated hour; the last one includes the quiesce and the checkers. */
    hourlyCpuMs: hourlyCpuMs.map(Math.round),
    simulatedMs: result.simulatedMs,
    writes: result.counts.writes,
    events: result.counts.events,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }) + '\n',
);

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}

/**
 * The client, watched through the devices' clocks: the first clock reading in a new simulated hour
 * closes the CPU account of the hour before. It only reads the clock the app reads anyway, so the run is unchanged.
 */
function clockedClient(definition: ClientDefinition): ClientDefinition {
  let originMs: number | undefined;
  return {
    ...definition,
    factory: (env) =>
      definition.factory({
        ...env,
        now: () => {
          const nowMs = env.now();
          originMs ??= nowMs;
          while (nowMs - originMs >= (hourlyCpuMs.length + 1) * HOUR_MS && hourlyCpuMs.length < hours - 1) {
            hourlyCpuMs.push(cpuMsSince(cpuBefore) - hourlyCpuMs.reduce((sum, each) => sum + each, 0));
          }
          return nowMs;
        },
      }),
  };
}
