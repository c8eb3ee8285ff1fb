// (contract) A project's sync-chaos.config.ts (or .mts, .js, .mjs, .json): what `sync-chaos run`
// does with no arguments, in the manner of vitest.config.ts. Paths are relative to the config file;
// flags given on the command line override each setting.

import type { ReporterName } from './report/registry.ts';
import type { ThresholdMetric } from './scenario/thresholds.ts';

export interface SyncChaosConfig {
  /** Scenario files or globs (`sync-chaos/*.yaml`), expanded in-process, so the shell does not matter. */
  scenarios?: string[];
  /** A suite of the scenarios shipped with sync-chaos, run beside `scenarios`: `standard` needs no server. */
  suite?: 'standard';
  /** The client module to test instead of each scenario's `client`. */
  client?: string;
  /** The first seed (default: each scenario's `seed`). */
  seed?: number;
  /** How many seeds, or an inclusive range `"1..50"`. */
  seeds?: number | `${number}..${number}`;
  /** Each reporter by name, in order (default: console). */
  reporters?: ReporterName[];
  /** The folder for file reports (default `reports`). */
  out?: string;
  /** Worker threads (default: the number of cores). */
  workers?: number;
  /** Swarm testing: the nemesis draws its fault parameters from each seed. */
  swarm?: boolean;
  /**
   * Budgets for every scenario, as in a scenario's `thresholds:` (a scenario's own limit wins per metric):
   * `{ save_to_commit_p95: '30s', peak_queue_depth: 500 }`. The metrics are listed in docs/scenarios.md.
   */
  thresholds?: Partial<Record<ThresholdMetric, string | number>>;
  /** The baseline file of known violations (default `sync-chaos.baseline.json`), as `--baseline` names it. */
  baseline?: string;
}

/** The config file's default export, typed: `export default defineConfig({ ... })`. */
export function defineConfig(config: SyncChaosConfig): SyncChaosConfig {
  return config;
}
