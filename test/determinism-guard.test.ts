import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadClient } from '../src/run/client-loader.ts';
import { runScenario } from '../src/run/run.ts';
import { loadScenarioFile, type Scenario } from '../src/scenario/index.ts';
import { REPO_ROOT } from './cli-helpers.ts';

/** Reads of the real world that would make a seed stop being a full replay (a typed declaration such as `setTimeout(fn: …)` is not a call). */
const FORBIDDEN: [RegExp, string][] = [
  [/\bDate\.now\s*\(/, 'Date.now'],
  [/\bnew Date\s*\(/, 'new Date'],
  [/\bMath\.random\s*\(/, 'Math.random'],
  [/\bperformance\.now\s*\(/, 'performance.now'],
  [/(?<![\w.])setTimeout\s*\((?!\w+: )/, 'setTimeout'],
  [/(?<![\w.])setInterval\s*\(/, 'setInterval'],
  [/(?<![\w.])setImmediate\s*\(/, 'setImmediate'],
  [/(?<![\w.])fetch\s*\(/, 'global fetch'],
  [/from '(node:)?(http|https|net|dgram|dns)'|from 'undici'/, 'a real network module'],
  [/from '(node:)?timers(\/promises)?'/, 'a real timers module'],
];

/** Where each is allowed: the CLI measures wall time; the scheduler takes one macrotask turn between events. */
const ALLOWED: Record<string, string[]> = {
  'src/cli/run-command.ts': ['performance.now'], // the wall time of the run, for the progress line's estimate and the time budget
  'src/cli/run-case.ts': ['performance.now'], // times each case for its report's wallMs, on whichever thread the pool runs it; never read by the simulation
  'src/sim/scheduler.ts': ['setImmediate'],
  'src/cli/main.ts': ['setTimeout'], // exits a process some library's leftover handle keeps alive, once the command is done (unref'd)
  'src/cli/report-command.ts': ['new Date'], // parses the earliest startedAt of the merged reports into the merged run's id; reads no clock
  'src/report/run-folder.ts': ['new Date'], // stamps the run id and report.json's startedAt once per CLI run, after seeds are chosen; never read by the simulation
  'src/conformance/conformance.ts': ['a real network module'], // conformance checks a user's real server over HTTP (undici); never part of a seeded run
  'src/serve/http-server.ts': ['a real network module'], // the real-network mode's server listens on node:http; simulated runs never load it
  'src/serve/poke-sockets.ts': ['a real network module'], // push pokes over ws: node:http's upgrade request (its types only); only the http server loads it
  // transport: http (real sockets, real time scaled by time_scale); run.ts imports it only for such a scenario, so simulated runs never load it
  'src/transport/http/http-transport.ts': ['a real network module', 'a real timers module'], // reads the server's records, retrying a refused connection
  'src/transport/http/http-fetch.ts': ['a real network module'], // each device's undici Agent
  'src/transport/http/link-interceptor.ts': ['a real network module'], // the undici interceptor (its types only)
  'src/transport/http/http-sockets.ts': ['a real network module'], // push pokes over ws: node:http's upgrade request (its types only); the http transport loads it
  'src/transport/http/link-proxy.ts': ['a real network module'], // each device boot's loopback TCP proxy (node:net); the http transport loads it
  'src/transport/http/paced-scheduler.ts': ['performance.now', 'a real timers module'], // paces the event queue by the real clock
};

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function codeOf(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
}

describe('determinism guard', () => {
  it('finds no read of the real clock, Math.random, real timers or the network in src/ outside the allowed places', () => {
    const offences: string[] = [];
    for (const path of sourceFiles(join(REPO_ROOT, 'src'))) {
      const file = relative(REPO_ROOT, path);
      const code = codeOf(readFileSync(path, 'utf8'));
      for (const [pattern, name] of FORBIDDEN) {
        if (pattern.test(code) && !ALLOWED[file]?.includes(name)) offences.push(`${file}: ${name}`);
      }
    }
    expect(offences).toEqual([]);
  });

  it('loads the http transport only on demand: the run imports nothing of src/transport/http/ statically', () => {
    const run = readFileSync(join(REPO_ROOT, 'src/run/run.ts'), 'utf8');
    expect(run).toMatch(/await import\('\.\.\/transport\/http\/http-transport\.ts'\)/);
    expect(run).not.toMatch(/^import [^;]*'\.\.\/transport\/http\//m);
  });

  describe('at run time', () => {
    const originals = { now: Date.now, random: Math.random, setTimeout: globalThis.setTimeout, setInterval: globalThis.setInterval, fetch: globalThis.fetch };
    afterEach(() => {
      Date.now = originals.now;
      Math.random = originals.random;
      globalThis.setTimeout = originals.setTimeout;
      globalThis.setInterval = originals.setInterval;
      globalThis.fetch = originals.fetch;
    });

    it('runs a whole scenario without our code reaching the real clock, Math.random, real timers or fetch', async () => {
      const loaded = loadScenarioFile(join(REPO_ROOT, 'scenarios/baseline.yaml'));
      if (!loaded.ok) throw new Error('baseline.yaml must load');
      const scenario: Scenario = { ...loaded.scenario, durationMs: 120_000 };
      const factory = await loadClient(scenario.system, REPO_ROOT);
      const calls: string[] = [];
      const watch = <T extends (...args: never[]) => unknown>(name: string, original: T): T =>
        ((...args: Parameters<T>) => {
          if (/[\\/]src[\\/]/.test(new Error().stack ?? '')) calls.push(name);
          return original(...args);
        }) as unknown as T;
      Date.now = watch('Date.now', originals.now);
      Math.random = watch('Math.random', originals.random);
      globalThis.setTimeout = watch('setTimeout', originals.setTimeout) as typeof setTimeout;
      globalThis.setInterval = watch('setInterval', originals.setInterval) as typeof setInterval;
      globalThis.fetch = watch('fetch', originals.fetch);

      const result = await runScenario(scenario, { seed: 5, client: factory });

      expect(result.verdict).toBe('pass');
      expect(result.counts.writes).toBeGreaterThan(0);
      expect([...new Set(calls)]).toEqual([]);
    });
  });
});
