// One run of the standard scenario for `hours` simulated hours (first argument, default 24) in a
// process of its own, so its peak RSS is its own: prints one JSON line with the wall time, the
// simulated time, the CPU time, the counts and the peak RSS. `npm run bench` starts it; so can a profiler.
import { performance } from 'node:perf_hooks';
import { runScenario } from '../src/run/run.ts';
import { STANDARD_SEED, standardScenario } from './standard.ts';

const hours = Number(process.argv[2] ?? '24');
const { scenario, client } = await standardScenario(hours);
const startedMs = performance.now();
const cpuBefore = process.cpuUsage();
const result = await runScenario(scenario, { seed: STANDARD_SEED, client });
const wallMs = performance.now() - startedMs;
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(
  JSON.stringify({
    hours,
    verdict: result.verdict,
    hash: result.eventLogHash,
    wallMs: Math.round(wallMs),
    /** CPU time of the run (user + system): steadier than wall time on a shared machine. */
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    simulatedMs: result.simulatedMs,
    writes: result.counts.writes,
    events: result.counts.events,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }) + '\n',
);
