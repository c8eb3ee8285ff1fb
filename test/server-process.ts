// Starts `sync-chaos server` as a child process, as a user would, and watches its output: for the
// tests of the command itself and of runs against a server process that gets killed.
import { spawn } from 'node:child_process';
import { REPO_ROOT } from './cli-helpers.ts';

export interface Launched {
  code: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
  signal: (name: NodeJS.Signals) => void;
  /** Resolves with the first stdout line matching `pattern`. */
  line: (pattern: RegExp) => Promise<RegExpExecArray>;
}

export function launch(args: string[]): Launched {
  const child = spawn(process.execPath, ['bin/sync-chaos', 'server', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  const line = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const look = () => {
        const match = pattern.exec(stdout);
        if (!match) return false;
        child.stdout.off('data', look);
        resolve(match);
        return true;
      };
      if (!look()) child.stdout.on('data', look);
      void code.then(() => look() || reject(new Error(`exited before printing ${pattern}: ${stdout}${stderr}`)));
    });
  return { code, stdout: () => stdout, stderr: () => stderr, signal: (name) => child.kill(name), line };
}
