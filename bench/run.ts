// `npm run bench`: the benchmark suite, printed as one table in one run (timings on a shared
// machine are noisy: compare the ratios measured side by side in one run, and CPU times).
// (a) the standard scenario's simulated writes/s and its ratio to raw better-sqlite3 executing the
//     same statements; (b) its simulated-to-wall time ratio (10 devices × 1 simulated hour);
// (c) seeds/minute of an everything.yaml sweep on 1 and 2 workers, through the CLI;
// (d) peak RSS of this process, and of a 10-device × BENCH_LONG_HOURS (default 24) hour run in a
//     process of its own. BENCH_SEEDS (default 20) sets the sweep's seed count.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { runScenario } from '../src/run/run.ts';
import type { RunResult } from '../src/check/verdict.ts';
import { SqlRecorder } from './sql-recorder.ts';
import { STANDARD_DEVICES, STANDARD_SEED, standardScenario } from './standard.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const SWEEP_SCENARIO = 'scenarios/everything.yaml';
const SWEEP_SEEDS = Number(process.env['BENCH_SEEDS'] ?? '20');
const LONG_HOURS = Number(process.env['BENCH_LONG_HOURS'] ?? '24');

type Row = [string, string];

async function standardRows(): Promise<Row[]> {
  const { scenario, client } = await standardScenario(1);
  const timed = async (): Promise<{ result: RunResult; wallMs: number; cpuMs: number }> => {
    const startedMs = performance.now();
    const cpu = process.cpuUsage();
    const result = await runScenario(scenario, { seed: STANDARD_SEED, client });
    return { result, wallMs: performance.now() - startedMs, cpuMs: cpuMsSince(cpu) };
  };
  await timed();
  const { result, wallMs, cpuMs } = await timed();
  if (result.verdict !== 'pass') throw new Error(`the bench scenario must pass, got ${result.verdict}`);

  const recorder = new SqlRecorder();
  recorder.start();
  const recorded = await runScenario(scenario, { seed: STANDARD_SEED, client });
  recorder.stop();
  if (recorded.eventLogHash !== result.eventLogHash) throw new Error('the recorded run differs from the timed one');
  const rawCpu = process.cpuUsage();
  const rawMs = recorder.replay();
  const rawCpuMs = cpuMsSince(rawCpu);

  const seconds = wallMs / 1000;
  const { writes } = result.counts;
  return [
    ['standard scenario', `${STANDARD_DEVICES} devices × 1 simulated hour, baseline workload, seed ${STANDARD_SEED}, hash ${result.eventLogHash}`],
    ['writes', `${writes} (${result.counts.acknowledged} acknowledged), ${result.counts.syncRequests} sync requests, ${result.counts.events} events`],
    ['wall time', `${wallMs.toFixed(0)} ms (CPU ${cpuMs.toFixed(0)} ms)`],
    ['(a) simulated writes/s', (writes / seconds).toFixed(0)],
    ['    SQL statements', `${recorder.calls.length}`],
    ['    raw better-sqlite3, same statements', `${rawMs.toFixed(0)} ms (CPU ${rawCpuMs.toFixed(0)} ms) = ${(writes / (rawMs / 1000)).toFixed(0)} writes/s`],
    ['    ratio simulated / raw writes/s', `${(rawMs / wallMs).toFixed(3)} (by CPU time: ${(rawCpuMs / cpuMs).toFixed(3)})`],
    ['(b) simulated-to-wall time', `${(result.simulatedMs / wallMs).toFixed(0)}×`],
    ['    events/s', (result.counts.events / seconds).toFixed(0)],
    ['(d) peak RSS of this process', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`],
  ];
}

/** CPU time (user + system) of this process since `start`, ms: steadier than wall time on a shared machine. */
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}

/** Runs a command from the repository root and returns its wall time and stdout; any exit code but `allowed` is an error. */
function timedCommand(args: string[], allowed: number[]): Promise<{ wallMs: number; stdout: string }> {
  const startedMs = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: REPO, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      if (!allowed.includes(code)) reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve({ wallMs: performance.now() - startedMs, stdout });
    });
  });
}

async function sweepRows(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const workers of [1, 2]) {
    const out = mkdtempSync(join(tmpdir(), 'sync-chaos-bench-'));
    const args = ['bin/sync-chaos', 'run', SWEEP_SCENARIO, '--seeds', String(SWEEP_SEEDS), '--workers', String(workers), '--reporter', 'json', '--out', out];
    const { wallMs } = await timedCommand(args, [0, 1]);
    rmSync(out, { recursive: true, force: true });
    rows.push([`(c) sweep, ${workers} worker${workers === 1 ? '' : 's'}`, `${SWEEP_SEEDS} seeds of ${SWEEP_SCENARIO} in ${(wallMs / 1000).toFixed(1)} s = ${((SWEEP_SEEDS * 60_000) / wallMs).toFixed(1)} seeds/minute (process start included)`]);
  }
  return rows;
}

async function longRunRows(): Promise<Row[]> {
  const { stdout } = await timedCommand(['--import', 'tsx', 'bench/long-run.ts', String(LONG_HOURS)], [0]);
  const run = JSON.parse(stdout) as { hash: string; wallMs: number; cpuMs: number; simulatedMs: number; writes: number; events: number; peakRssMiB: number };
  return [
    [`(d) ${STANDARD_DEVICES} devices × ${LONG_HOURS} simulated h`, `${run.writes} writes, ${run.events} events in ${(run.wallMs / 1000).toFixed(1)} s, CPU ${(run.cpuMs / 1000).toFixed(1)} s (${(run.simulatedMs / run.wallMs).toFixed(0)}×), hash ${run.hash}`],
    ['    its peak RSS', `${run.peakRssMiB} MiB`],
  ];
}

const rows = [...(await standardRows()), ...(await sweepRows()), ...(await longRunRows())];
const width = Math.max(...rows.map(([label]) => label.length));
for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
