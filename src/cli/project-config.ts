// What `sync-chaos run` runs: the scenario files and globs given (or the project config's), the
// shipped suite when asked for, and the flags over the config's settings. Globs are expanded here,
// in-process, so a CI shell that does not expand them (or expands them differently) changes nothing.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { z } from 'zod';
import type { SyncChaosConfig } from '../config.ts';
import { BadInputError } from '../errors.ts';
import { REPORTER_NAMES } from '../report/registry.ts';
import { moduleDefaultOf } from '../run/module-loader.ts';
import { resolveThresholds, THRESHOLD_METRIC_NAMES, thresholdsSection, type Thresholds } from '../scenario/thresholds.ts';

/** The file names `run` looks for in the folder it starts in, in this order. */
export const CONFIG_FILES = ['sync-chaos.config.ts', 'sync-chaos.config.mts', 'sync-chaos.config.js', 'sync-chaos.config.mjs', 'sync-chaos.config.json'];

/**
 * The scenarios shipped with the package, by suite. `standard`: every unhappy path a client of your
 * own can take under the default policy (server-wins), in simulation. Left out: the other policies'
 * scenarios (clock-*-lww, policy-*), which need a client that follows them; upgrade and
 * everything, whose upgrades install the reference client's older builds; http/, which needs a server.
 */
export const SUITES = {
  standard: ['baseline', 'conflict-both-edit', 'kill-pending', 'long-suspension', 'offline-edits', 'offline-mid-sync', 'partial-batch', 'pokes', 'resume-after-partition', 'stale-backup'].map(
    (name) => `scenarios/${name}.yaml`,
  ),
} as const;
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const configSchema = z.strictObject({
  scenarios: z.array(z.string()).optional(),
  suite: z.enum(Object.keys(SUITES) as ['standard']).optional(),
  client: z.string().optional(),
  seed: z.number().int().nonnegative().optional(),
  seeds: z.union([z.number().int().positive(), z.string().regex(/^\d+\.\.\d+$/)]).optional(),
  reporters: z.array(z.enum(REPORTER_NAMES)).optional(),
  out: z.string().optional(),
  workers: z.number().int().positive().optional(),
  swarm: z.boolean().optional(),
  thresholds: thresholdsSection.optional(),
  baseline: z.string().optional(),
});

/** The settings a config can hold, as the command line spells them. */
export interface ConfigurableFlags {
  seed?: string;
  seeds?: string;
  client?: string;
  swarm?: boolean;
  reporter?: (typeof REPORTER_NAMES)[number][];
  out?: string;
  workers?: string;
  suite?: string;
  config?: string;
  /** The config's budgets, resolved (ms for durations); a scenario's own `thresholds:` win per metric. */
  thresholds?: Thresholds;
  /** The baseline file of known violations (`--baseline`). */
  baseline?: string;
}

/** A project config, read from `path` (or found in `cwd`); none found is no config. */
export async function loadProjectConfig(cwd: string, path?: string): Promise<{ file: string; config: SyncChaosConfig } | undefined> {
  const file = path === undefined ? CONFIG_FILES.map((name) => resolve(cwd, name)).find((candidate) => existsSync(candidate)) : resolve(cwd, path);
  if (file === undefined) return undefined;
  if (!existsSync(file)) throw new BadInputError(`config file not found: ${file}`);
  const exported = file.endsWith('.json') ? jsonOf(file) : await configExportOf(file);
  const parsed = configSchema.safeParse(exported);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(config)'}: ${configProblem(issue)}`);
    throw new BadInputError(`${relative(cwd, file)}: not a sync-chaos config:\n${problems.join('\n')}`);
  }
  return { file, config: parsed.data as SyncChaosConfig };
}

/** An unknown metric under `thresholds` names the metrics there are; zod's own words otherwise. */
function configProblem(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys' && issue.path.join('.') === 'thresholds') {
    return `unknown metric ${issue.keys.map((key) => `'${key}'`).join(', ')}; the metrics are ${THRESHOLD_METRIC_NAMES.join(', ')}`;
  }
  return issue.message;
}

function jsonOf(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new BadInputError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
}

/** A .ts/.js config's default export: an object, or a function returning one. A config that throws is bad input, not a finding. */
async function configExportOf(file: string): Promise<unknown> {
  try {
    const exported = await moduleDefaultOf(file, 'config');
    return typeof exported === 'function' ? await (exported as () => unknown)() : exported;
  } catch (error) {
    throw error instanceof BadInputError ? error : new BadInputError((error as Error).message);
  }
}

/**
 * The scenario files and flags a run uses: the arguments, else the config's `scenarios`, plus the
 * suite; flags given override the config's settings. Config paths are relative to the config file,
 * and shown relative to `cwd`, as the replay commands print them.
 */
export function resolveRun<F extends ConfigurableFlags>(patterns: string[], flags: F, cwd: string, loaded?: { file: string; config: SyncChaosConfig }): { files: string[]; flags: F } {
  const config = loaded?.config ?? {};
  // files named on the command line replace the config's scenarios and its suite
  const suite = flags.suite ?? (patterns.length > 0 ? undefined : config.suite);
  if (suite !== undefined && !(suite in SUITES)) throw new BadInputError(`--suite ${suite}: the suites are ${Object.keys(SUITES).join(', ')}`);
  const given = patterns.length > 0 ? patterns : (config.scenarios ?? []).map((path) => relativeTo(dirname(loaded!.file), path, cwd));
  const shipped = suite === undefined ? [] : SUITES[suite as keyof typeof SUITES].map((file) => relative(cwd, resolve(PACKAGE_ROOT, file)));
  const files = [...expand(given, cwd, cwd), ...shipped];
  if (files.length === 0) {
    throw new BadInputError(loaded ? `${relative(cwd, loaded.file)}: no scenarios to run (give "scenarios" or "suite")` : `no scenario files given, and no ${CONFIG_FILES[0]} here (see sync-chaos init)`);
  }
  const merged = loaded ? flagsOf(config, dirname(loaded.file), cwd) : {};
  const explicit = Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined));
  return { files: [...new Set(files)], flags: { ...merged, ...explicit } as F };
}

/** A config's settings as the command line spells them, its paths (relative to `base`) made relative to `cwd`. */
export function flagsOf(config: SyncChaosConfig, base: string, cwd: string): ConfigurableFlags {
  return {
    ...(config.suite !== undefined && { suite: config.suite }),
    ...(config.seed !== undefined && { seed: String(config.seed) }),
    ...(config.seeds !== undefined && { seeds: String(config.seeds) }),
    ...(config.client !== undefined && { client: relativeTo(base, config.client, cwd) }),
    ...(config.swarm !== undefined && { swarm: config.swarm }),
    ...(config.reporters !== undefined && { reporter: config.reporters }),
    ...(config.out !== undefined && { out: relativeTo(base, config.out, cwd) }),
    ...(config.workers !== undefined && { workers: String(config.workers) }),
    ...(config.thresholds !== undefined && { thresholds: resolveThresholds(thresholdsSection.parse(config.thresholds)) }),
    ...(config.baseline !== undefined && { baseline: relativeTo(base, config.baseline, cwd) }),
  };
}

function relativeTo(base: string, path: string, cwd: string): string {
  return relative(cwd, resolve(base, path)) || '.';
}

/** Each pattern's files under `base`, sorted, relative to `cwd` (a plain path stays as given, so a missing file is reported by name). */
function expand(patterns: string[], base: string, cwd: string): string[] {
  return patterns.flatMap((pattern) => {
    if (!isDynamicPattern(pattern)) return [pattern];
    const found = globSync(pattern, { cwd: base, absolute: true }).map((file) => relative(cwd, file)).sort();
    if (found.length === 0) throw new BadInputError(`${pattern}: no scenario file matches`);
    return found;
  });
}
