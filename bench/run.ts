// `npm run bench`: the benchmark suite, printed as one table in one run (timings on a shared
// machine are noisy: compare the ratios measured side by side in one run, and CPU times).
// (a) the standard scenario's simulated writes/s and its ratio to raw better-sqlite3 executing the
//     same statements; (b) its simulated-to-wall time ratio (10 devices × 1 simulated hour);
// (c) an everything.yaml sweep through the built CLI (bin/sync-chaos, as users run it; dist/ is brought up
//     to date first) on 1 and 2 workers: wall, seeds/minute and the CPU time of its process (worker threads
//     included), per seed, and what a process and a worker thread cost to start; then the merge of 1,000 shard reports;
// (d) CPU per simulated hour, first and last, of a 10-device × BENCH_LONG_HOURS (default 8) hour run, and
// (e) the peak RSS of a 10-device × BENCH_MEMORY_HOURS (default 24) hour run, each in a process of its own.
// BENCH_SEEDS (default 20) sets the sweep's seed count.
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { runScenario } from '../src/run/run.ts';
import type { RunResult } from '../src/check/verdict.ts';
import { JSON_REPORT_FILE, type ReportDocument } from '../src/report/json.ts';
import { mergeShardReports, readShardReports } from '../src/report/merge.ts';
import { SqlRecorder } from './sql-recorder.ts';
import { STANDARD_DEVICES, STANDARD_SEED, standardScenario } from './standard.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const SWEEP_SCENARIO = 'scenarios/everything.yaml';
const SWEEP_SEEDS = Number(process.env['BENCH_SEEDS'] ?? '20');
const LONG_HOURS = Number(process.env['BENCH_LONG_HOURS'] ?? '8');
const MEMORY_HOURS = Number(process.env['BENCH_MEMORY_HOURS'] ?? '24');
const MERGE_SHARDS = 1000;

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
    ['(b) simulated-to-wall time', `${(result.simulatedMs / wallMs).toFixed(0)}× (by CPU time: ${(result.simulatedMs / cpuMs).toFixed(0)}×)`],
    ['    events/s', (result.counts.events / seconds).toFixed(0)],
    ['    peak RSS of this process', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`],
  ];
}

/** CPU time (user + system) of this process since `start`, ms: steadier than wall time on a shared machine. */
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}

/** What /usr/bin/time says of a command: wall and CPU (user + system, its threads included) seconds, peak RSS. */
interface Measured {
  wallS: number;
  cpuS: number;
  peakRssMiB: number;
  stdout: string;
}

const TIME_FORMAT = '%e %U %S %M';

/**
 * Runs node with `args` from the repository root under /usr/bin/time (niced as the bench is), so the CPU
 * time counts every thread of the process; any exit code but `allowed` is an error.
 */
function measuredNode(args: string[], allowed: number[]): Promise<Measured> {
  const timeArgs = ['-f', TIME_FORMAT, process.execPath, ...args];
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/time', timeArgs, { cwd: REPO, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      const timeLine = stderr.trim().split('\n').at(-1) ?? '';
      const [wallS, userS, systemS, peakRssKiB] = timeLine.split(' ').map(Number);
      if (!allowed.includes(code) || [wallS, userS, systemS, peakRssKiB].some((value) => !Number.isFinite(value))) {
        reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr}`));
      } else resolve({ wallS: wallS!, cpuS: userS! + systemS!, peakRssMiB: peakRssKiB! / 1024, stdout });
    });
  });
}

/**
 * The CLI as users run it: bin/sync-chaos, the compiled JavaScript in dist/. Run from the sources through tsx
 * instead, each process and each worker thread would compile the TypeScript again, a cost no user pays.
 */
const CLI = ['bin/sync-chaos'];

async function sweepRows(): Promise<{ rows: Row[]; report: string }> {
  // dist/ as the working tree's sources say (the test suite's setup does the same); the build is not measured
  execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: REPO, stdio: 'inherit' });
  const rows: Row[] = [];
  const perMinute: number[] = [];
  const report = mkdtempSync(join(tmpdir(), 'sync-chaos-bench-report-'));
  for (const workers of [1, 2]) {
    const out = mkdtempSync(join(tmpdir(), 'sync-chaos-bench-'));
    const args = [...CLI, 'run', SWEEP_SCENARIO, '--seeds', String(SWEEP_SEEDS), '--workers', String(workers), '--reporter', 'json', '--out', out];
    const { wallS, cpuS } = await measuredNode(args, [0, 1]);
    const document = JSON.parse(readFileSync(join(out, 'latest', JSON_REPORT_FILE), 'utf8')) as ReportDocument;
    if (document.cases.length !== SWEEP_SEEDS) throw new Error(`the sweep reported ${document.cases.length} cases of ${SWEEP_SEEDS}`);
    if (workers === 1) cpSync(join(out, 'latest', JSON_REPORT_FILE), join(report, JSON_REPORT_FILE));
    rmSync(out, { recursive: true, force: true });
    perMinute.push((SWEEP_SEEDS * 60) / wallS);
    rows.push([
      `(c) sweep, ${workers} worker${workers === 1 ? '' : 's'}`,
      `${SWEEP_SEEDS} seeds of ${SWEEP_SCENARIO}: wall ${wallS.toFixed(1)} s = ${perMinute.at(-1)!.toFixed(1)} seeds/minute; ` +
        `CPU ${cpuS.toFixed(1)} s = ${(cpuS / SWEEP_SEEDS).toFixed(2)} CPU-s/seed (built CLI; process and worker start included)`,
    ]);
  }
  rows.push(['    2 workers / 1, seeds/minute', `${(perMinute[1]! / perMinute[0]!).toFixed(2)}× (meaningful on an otherwise idle machine only)`]);
  return { rows: [...rows, ...(await startRows())], report };
}

/** A scenario whose one seed costs next to nothing (11 writes), so its runs measure what starting costs. */
const START_SCENARIO = 'scenarios/resume-after-partition.yaml';

/** CPU of the built CLI's process start (one seed on its own thread), and of each further worker thread's (2 and 4 workers, a seed each). */
async function startRows(): Promise<Row[]> {
  const out = mkdtempSync(join(tmpdir(), 'sync-chaos-bench-start-'));
  try {
    const cpuOf = async (workers: number) => (await measuredNode([...CLI, 'run', START_SCENARIO, '--seeds', String(workers), '--workers', String(workers), '--out', out], [0])).cpuS;
    const [alone, two, four] = [await cpuOf(1), await cpuOf(2), await cpuOf(4)];
    return [
      ['    start: process', `${alone.toFixed(2)} CPU-s for one seed of ${START_SCENARIO} on the CLI's own thread`],
      ['    start: each worker thread', `${((four - two) / 2).toFixed(2)} CPU-s (4 workers ${four.toFixed(2)} s, 2 workers ${two.toFixed(2)} s, one seed each)`],
    ];
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** 1,000 shard folders, each holding the sweep's cases under seeds of its own; the time to read and merge them. */
function mergeRows(sweepReport: string): Row[] {
  const document = JSON.parse(readFileSync(join(sweepReport, JSON_REPORT_FILE), 'utf8')) as ReportDocument;
  const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-bench-shards-'));
  try {
    const shards = Array.from({ length: MERGE_SHARDS }, (_, shard) => {
      const shardFolder = join(folder, String(shard));
      mkdirSync(shardFolder);
      const cases = document.cases.map((each) => ({ ...each, seed: each.seed + shard * SWEEP_SEEDS }));
      writeFileSync(join(shardFolder, JSON_REPORT_FILE), JSON.stringify({ ...document, cases }));
      return shardFolder;
    });
    const startedMs = performance.now();
    const cpu = process.cpuUsage();
    const merged = mergeShardReports(readShardReports(shards));
    const cpuMs = cpuMsSince(cpu);
    const wallMs = performance.now() - startedMs;
    return [[`merge ${MERGE_SHARDS} shard reports`, `${merged.cases.length} cases read and merged in ${wallMs.toFixed(0)} ms (CPU ${cpuMs.toFixed(0)} ms)`]];
  } finally {
    rmSync(folder, { recursive: true, force: true });
    rmSync(sweepReport, { recursive: true, force: true });
  }
}

interface LongRun extends Measured {
  hash: string;
  wallMs: number;
  cpuMs: number;
  hourlyCpuMs: number[];
  quiesceCpuMs: number;
  checkCpuMs: number;
  heapAtHourMiB: number[];
  rssAtHourMiB: number[];
  simulatedMs: number;
  writes: number;
  events: number;
}

/** The standard scenario for `hours` simulated hours in a process of its own (bench/long-run.ts). */
async function longRun(hours: number): Promise<LongRun> {
  const measured = await measuredNode(['--import', 'tsx', 'bench/long-run.ts', String(hours)], [0]);
  // the peak RSS /usr/bin/time saw, as the run's own report of it could only be lower
  return { ...(JSON.parse(measured.stdout) as Omit<LongRun, keyof Measured>), ...measured };
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

function runRow(label: string, run: LongRun): Row {
  return [label, `${run.writes} writes, ${run.events} events in ${seconds(run.wallMs)} s, CPU ${seconds(run.cpuMs)} s (${(run.simulatedMs / run.cpuMs).toFixed(0)}× by CPU), hash ${run.hash}`];
}

function hourlyRows(run: LongRun): Row[] {
  const first = run.hourlyCpuMs[0]!;
  const last = run.hourlyCpuMs.at(-1)!;
  return [
    ['    CPU per simulated hour', `first ${seconds(first)} s, last ${seconds(last)} s: last / first ${(last / first).toFixed(2)} (${run.hourlyCpuMs.map(seconds).join(', ')})`],
    ['    then quiesce, checks', `CPU ${seconds(run.quiesceCpuMs)} s, ${seconds(run.checkCpuMs)} s; last hour with both / first ${((last + run.quiesceCpuMs + run.checkCpuMs) / first).toFixed(2)}`],
  ];
}

async function longRunRows(): Promise<Row[]> {
  const flat = await longRun(LONG_HOURS);
  const memory = await longRun(MEMORY_HOURS);
  return [
    runRow(`(d) ${STANDARD_DEVICES} devices × ${LONG_HOURS} simulated h`, flat),
    ...hourlyRows(flat),
    [`    peak RSS of the ${LONG_HOURS} h run`, `${flat.peakRssMiB.toFixed(0)} MiB`],
    runRow(`(e) ${STANDARD_DEVICES} devices × ${MEMORY_HOURS} simulated h`, memory),
    ...hourlyRows(memory),
    [
      `    peak RSS of the ${MEMORY_HOURS} h run`,
      `${memory.peakRssMiB.toFixed(0)} MiB (process CPU ${memory.cpuS.toFixed(1)} s, start included); at each hour's end heap ${memory.heapAtHourMiB.join(', ')} MiB, RSS ${memory.rssAtHourMiB.join(', ')} MiB`,
    ],
  ];
}

const sweep = await sweepRows();
const rows = [...(await standardRows()), ...sweep.rows, ...mergeRows(sweep.report), ...(await longRunRows())];
const width = Math.max(...rows.map(([label]) => label.length));
for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
