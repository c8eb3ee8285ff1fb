// Runs the real `sync-chaos` launcher in a child process, as a user or a CI job would, and
// captures its exit code and output for the end-to-end tests.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[]): Promise<CliOutcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/sync-chaos', ...args],
      { cwd: REPO_ROOT, env: { ...process.env, FORCE_COLOR: '0' } },
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
