// `npm run bench`: runs a fixed scenario (10 devices × 1 simulated hour, the baseline workload)
// and prints simulated writes/s, events/s, the simulated-to-wall time ratio and peak memory,
// then replays the same SQL on raw better-sqlite3 in the same process and prints the ratio.
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { loadClientFactory } from '../src/run/client-loader.ts';
import { runScenario, type RunResult } from '../src/run/run.ts';
import { loadScenarioFile, type Scenario } from '../src/scenario/index.ts';
import { SqlRecorder } from './sql-recorder.ts';

const SEED = 1;
const BASELINE = fileURLToPath(new URL('../scenarios/baseline.yaml', import.meta.url));

async function main(): Promise<void> {
  const loaded = loadScenarioFile(BASELINE);
  if (!loaded.ok) throw new Error(`cannot load ${BASELINE}`);
  const scenario: Scenario = { ...loaded.scenario, name: 'bench', devices: 10, durationMs: 3_600_000 };
  const factory = await loadClientFactory(scenario.system, process.cwd());

  const timed = async (): Promise<{ result: RunResult; wallMs: number }> => {
    const startedMs = performance.now();
    const result = await runScenario(scenario, { seed: SEED, factory });
    return { result, wallMs: performance.now() - startedMs };
  };

  await timed();
  const { result, wallMs } = await timed();
  if (result.verdict !== 'pass') throw new Error(`the bench scenario must pass, got ${result.verdict}`);

  const recorder = new SqlRecorder();
  recorder.start();
  const recorded = await runScenario(scenario, { seed: SEED, factory });
  recorder.stop();
  if (recorded.eventLogHash !== result.eventLogHash) throw new Error('the recorded run differs from the timed one');
  const rawMs = recorder.replay();

  const seconds = wallMs / 1000;
  const { writes } = result.counts;
  const rows: [string, string][] = [
    ['scenario', `10 devices × 1 simulated hour, seed ${SEED}, hash ${result.eventLogHash}`],
    ['writes', `${writes} (${result.counts.acknowledged} acknowledged), ${result.counts.syncRequests} sync requests`],
    ['wall time', `${wallMs.toFixed(0)} ms`],
    ['simulated writes/s', (writes / seconds).toFixed(0)],
    ['events/s', (result.counts.events / seconds).toFixed(0)],
    ['simulated-to-wall time', `${(result.simulatedMs / wallMs).toFixed(0)}×`],
    ['peak memory (RSS)', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`],
    ['SQL statements', `${recorder.calls.length}`],
    ['raw better-sqlite3, same statements', `${rawMs.toFixed(0)} ms = ${(writes / (rawMs / 1000)).toFixed(0)} writes/s`],
    ['ratio simulated / raw writes/s', (rawMs / wallMs).toFixed(3)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
}

await main();
