// (contract) The package's public API, `import … from 'sync-chaos'`: the adapter contract (types and
// helpers), the project config's `defineConfig`, the wire protocol's types, and `run()`, for teams
// that drive a sweep from their own test suite. Only `run` loads the simulator, and only when called.
import type { SyncChaosConfig } from './config.ts';
import type { CaseResults } from './report/json.ts';

export * from './adapter.ts';
export { defineConfig, type SyncChaosConfig } from './config.ts';
export type { Change, ChangeResult, ChangeStatus, ChangeType, ConflictPolicy, PullResponse, PushRequest, PushResponse } from './protocol/v1.ts';
export type { CaseReport } from './report/case.ts';
export type { CaseResults } from './report/json.ts';

/** A config's settings, paths relative to `process.cwd()` as on the command line. */
export interface RunOptions extends SyncChaosConfig {
  /** A config file to read first (these options override it), or `false` for none (default: sync-chaos.config.* in `process.cwd()`, if any). */
  config?: string | false;
}

export interface RunOutcome extends CaseResults {
  /** As the CLI's: 0 every case passed, 1 a violation, 2 bad scenario files (listed on stderr), 3 a case crashed. */
  exitCode: number;
}

/**
 * Runs scenarios as `sync-chaos run` does and resolves with what its JSON reporter writes per case.
 * It prints nothing unless `reporters` names one that prints lines (`console`, `dot`, `github`); file reporters write under `out` as the CLI's do.
 */
export async function run(options: RunOptions = {}): Promise<RunOutcome> {
  const [{ flagsOf, loadProjectConfig, resolveRun }, { sweep }, { caseResults }, { LINE_REPORTER_NAMES }] = await Promise.all([
    import('./cli/project-config.ts'),
    import('./cli/run-command.ts'),
    import('./report/json.ts'),
    import('./report/registry.ts'),
  ]);
  const { config, scenarios = [], ...settings } = options;
  const cwd = process.cwd();
  const loaded = config === false ? undefined : await loadProjectConfig(cwd, config);
  const { files, flags } = resolveRun(scenarios, flagsOf(settings, cwd, cwd), cwd, loaded);
  const reporter = flags.reporter ?? [];
  // the line reporters' lines are the one thing printed: the JSON document is what run() resolves with
  const printsLines = reporter.some((name) => LINE_REPORTER_NAMES.includes(name));
  const out = (text: string) => void (printsLines && process.stdout.write(text + '\n'));
  const { exitCode, reports } = await sweep(files, { ...flags, reporter }, { out, err: (text) => process.stderr.write(text + '\n'), interactive: false });
  return { exitCode, ...caseResults(reports) };
}
