// `npm run fuzz`: thousands of seeded mutants of the shipped scenarios through the loader (and, with
// --runs, the first loadable ones through the simulator), each in a worker thread under a wall-clock
// watchdog. Prints how many loaded, were refused, crashed (a throw, or an answer not located in the file)
// and hung (no answer within --timeout), and writes each crashing or hanging mutant to a folder to replay.
//   npm run fuzz -- [--files 10000] [--seed 1] [--runs 0] [--timeout 60s]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { workerRunner, type Runner } from '../src/run/pool.ts';
import { parseDuration } from '../src/scenario/index.ts';
import type { FuzzOutcome, FuzzSetup, FuzzTask } from './fuzz-task.ts';

const { values: flags } = parseArgs({
  options: {
    files: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: '0' },
    timeout: { type: 'string', default: '60s' },
  },
});
const files = Number(flags.files);
const runs = Number(flags.runs);
const timeoutMs = parseDuration(flags.timeout);
if (!Number.isSafeInteger(files) || !Number.isSafeInteger(runs) || timeoutMs === undefined) {
  throw new Error('usage: npm run fuzz -- [--files N] [--seed N] [--runs N] [--timeout DURATION]');
}
const setup: FuzzSetup = { seed: Number(flags.seed) };
const taskModule = new URL('./fuzz-task.ts', import.meta.url);
const newRunner = () => workerRunner<FuzzSetup, FuzzTask, FuzzOutcome>(taskModule, setup, (error) => Object.assign(new Error(error.message), { stack: error.stack }));

type Finding = { index: number; kind: 'crash' | 'hang'; source: string; text?: string; detail: string };

/** The task's outcome, the runner's error, or 'hang' after `timeoutMs` of wall time (the caller then replaces the runner). */
async function withWatchdog(runner: Runner<FuzzTask, FuzzOutcome>, task: FuzzTask): Promise<FuzzOutcome | 'hang' | Error> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'hang'>((resolve) => {
    timer = setTimeout(() => resolve('hang'), timeoutMs);
  });
  try {
    return await Promise.race([runner.run(task).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const startedMs = performance.now();
const findings: Finding[] = [];
const counts = { loaded: 0, refused: 0, ran: 0 };
const verdicts = new Map<string, number>();
let slowest = { index: -1, ms: 0 };
let runner = newRunner();
let runsLeft = runs;
for (let index = 0; index < files; index++) {
  const task: FuzzTask = { index, run: runsLeft > 0 };
  const taskStartedMs = performance.now();
  const outcome = await withWatchdog(runner, task);
  const ms = performance.now() - taskStartedMs;
  if (ms > slowest.ms) slowest = { index, ms };
  if (outcome === 'hang' || outcome instanceof Error) {
    await runner.close();
    runner = newRunner();
    findings.push({ index, kind: outcome === 'hang' ? 'hang' : 'crash', source: '?', detail: outcome === 'hang' ? `no answer within ${flags.timeout}` : (outcome.stack ?? outcome.message) });
    continue;
  }
  counts[outcome.loaded ? 'loaded' : 'refused']++;
  if (outcome.verdict !== undefined) {
    counts.ran++;
    runsLeft--;
    verdicts.set(outcome.verdict, (verdicts.get(outcome.verdict) ?? 0) + 1);
  }
  for (const detail of outcome.crashes) findings.push({ index, kind: 'crash', source: outcome.source, text: outcome.text, detail });
  if ((index + 1) % 1000 === 0) process.stderr.write(`${index + 1} of ${files} files, ${findings.length} findings, ${((performance.now() - startedMs) / 1000).toFixed(0)}s\n`);
}
await runner.close();

const crashes = findings.filter(({ kind }) => kind === 'crash').length;
const hangs = findings.filter(({ kind }) => kind === 'hang').length;
console.log(`files ${files} (seed ${setup.seed}): ${counts.loaded} loaded, ${counts.refused} refused; ${crashes} crashes, ${hangs} hangs`);
if (runs > 0) console.log(`runs ${counts.ran}: ${[...verdicts].map(([verdict, count]) => `${count} ${verdict}`).join(', ')}`);
console.log(`wall ${((performance.now() - startedMs) / 1000).toFixed(1)}s; slowest file: mutant ${slowest.index}, ${slowest.ms.toFixed(0)} ms`);
if (findings.length > 0) {
  const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-fuzz-'));
  for (const finding of findings) {
    if (finding.text !== undefined) writeFileSync(join(folder, `mutant-${finding.index}.yaml`), finding.text);
    console.log(`${finding.kind} mutant ${finding.index} (${finding.source}): ${finding.detail.split('\n').slice(0, 6).join('\n  ')}`);
  }
  console.log(`mutants written to ${folder}`);
  process.exitCode = 1;
}
