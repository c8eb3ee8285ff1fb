// Runs the real `sync-chaos` launcher in a child process, as a user or a CI job would, and
// captures its exit code and output for the end-to-end tests. File reports go to a temporary
// folder unless a test names one, so the suite leaves the repository's reports/ alone; a test of what a
// command writes in its working folder (reports/traces/) runs it from a temporary one.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

const REPORTS_OUT = mkdtempSync(join(tmpdir(), 'sync-chaos-reports-'));

/** Runs the CLI from the repository root, or from `cwd` for a test of what a command writes beside it. */
export function runCli(args: string[], cwd = REPO_ROOT): Promise<CliOutcome> {
  const out = args[0] === 'run' && !args.includes('--out') ? ['--out', REPORTS_OUT] : [];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'bin/sync-chaos'), ...args, ...out],
      { cwd, env: { ...process.env, FORCE_COLOR: '0' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export async function runJson(args: string[]): Promise<{ code: number; report: { verdict: string; cases: { seed: number; eventLogHash: string; verdict: string }[] } }> {
  const outcome = await runCli([...args, '--reporter', 'json']);
  return { code: outcome.code, report: JSON.parse(outcome.stdout) };
}
