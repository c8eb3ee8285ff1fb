// One run of the standard scenario for `hours` simulated hours (first argument, default 2) in a
// process of its own, so its peak RSS is its own: prints one JSON line with the wall time, the
// simulated time, the CPU time (in all, per simulated hour, and of the quiesce and the checks), the heap and RSS at each
// hour's end, the counts and the peak RSS.
import { performance } from 'node:perf_hooks';
import type { ClientDefinition } from '../src/adapter.ts';
import { runScenario } from '../src/run/run.ts';
import { STANDARD_SEED, standardScenario } from './standard.ts';

const HOUR_MS = 3_600_000;
const hours = Number(process.argv[2] ?? '2');
const { scenario, client } = await standardScenario(hours);
/** CPU time of the run up to the end of each simulated hour of its chaos phase, ms. */
const cpuAtHourMs: number[] = [];
/** The heap in use at the end of each simulated hour, MiB: what grows with the run's length. */
const heapAtHourMiB: number[] = [];
/** The resident set at the end of each simulated hour, MiB: the heap with its slack, and the devices' in-memory stores. */
const rssAtHourMiB: number[] = [];
/** CPU time of the run at the last clock reading of any app: the end of the quiesce, ms. */
let cpuAtLastClockMs = 0;
const startedMs = performance.now();
const cpuBefore = process.cpuUsage();
const result = await runScenario(scenario, { seed: STANDARD_SEED, client: clockedClient(client) });
const wallMs = performance.now() - startedMs;
const cpuMs = cpuMsSince(cpuBefore);
const chaosCpuMs = cpuAtHourMs.at(-1) ?? cpuMs;
process.stdout.write(
  JSON.stringify({
    hours,
    verdict: result.verdict,
    hash: result.eventLogHash,
    wallMs: Math.round(wallMs),
    /** CPU time of the run (user + system): steadier than wall time on a shared machine. */
    cpuMs: Math.round(cpuMs),
    /** CPU time of each simulated hour of the chaos phase, the users acting. */
    hourlyCpuMs: cpuAtHourMs.map((atMs, hour) => Math.round(atMs - (cpuAtHourMs[hour - 1] ?? 0))),
    /** CPU time after the last hour: the devices settling (quiesce), then the checkers reading the history. */
    quiesceCpuMs: Math.round(Math.max(cpuAtLastClockMs, chaosCpuMs) - chaosCpuMs),
    checkCpuMs: Math.round(cpuMs - Math.max(cpuAtLastClockMs, chaosCpuMs)),
    heapAtHourMiB,
    rssAtHourMiB,
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
 * closes the CPU account of the hour before, and the last reading of all marks the end of the quiesce.
 * It only reads the clock the app reads anyway, so the run is unchanged.
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
          if (cpuAtHourMs.length === hours) cpuAtLastClockMs = cpuMsSince(cpuBefore);
          while (cpuAtHourMs.length < hours && nowMs - originMs >= (cpuAtHourMs.length + 1) * HOUR_MS) {
            cpuAtHourMs.push(cpuMsSince(cpuBefore));
            const { heapUsed, rss } = process.memoryUsage();
            heapAtHourMiB.push(Math.round(heapUsed / 1048576));
            rssAtHourMiB.push(Math.round(rss / 1048576));
          }
          return nowMs;
        },
      }),
  };
}
