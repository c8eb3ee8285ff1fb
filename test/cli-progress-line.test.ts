// The progress line of a real run on a terminal: once the run ends (here by --time-budget) the final
// summary and the notes after it are the last things on the screen, with no progress line drawn again
// under them. stdout and stderr share one file, in the order they were written, as on a terminal.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './cli-helpers.ts';

/** Makes the CLI believe both its streams are a terminal, so it draws the progress line. */
const AS_TERMINAL = 'data:text/javascript,process.stdout.isTTY=true;process.stderr.isTTY=true;';
const CLEAR = '\r\x1b[K';

function runOnTerminal(args: string[], folder: string): Promise<{ code: number | null; screen: string }> {
  const screenFile = join(folder, 'screen.txt');
  const fd = openSync(screenFile, 'w');
  const child = spawn(process.execPath, ['--import', AS_TERMINAL, join(REPO_ROOT, 'bin/sync-chaos'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', fd, fd], env: { ...process.env, FORCE_COLOR: '0' } });
  return new Promise((resolve) =>
    child.on('close', (code) => {
      closeSync(fd);
      resolve({ code, screen: readFileSync(screenFile, 'utf8') });
    }),
  );
}

describe('the progress line on a terminal', () => {
  it('is not drawn again after the summary of a run the time budget ended', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-progress-'));
    const file = join(folder, 'short.yaml');
    writeFileSync(file, 'name: short\ndevices: 2\nduration: 1m\nresume: 0ms\n');
    const { code, screen } = await runOnTerminal(['run', file, '--seeds', '4', '--workers', '1', '--time-budget', '1ms', '--out', join(folder, 'out')], folder);
    expect(code).toBe(0);
    // it was drawn while the run went on
    expect(screen).toMatch(/\d\/4 seeds · 0 failures · ETA/);
    const summary = screen.lastIndexOf('1 passed, 0 failed (1 case)');
    expect(summary).toBeGreaterThan(-1);
    const after = screen.slice(summary);
    expect(after).toContain('--time-budget 1ms: 1 of 4 cases fit');
    expect(after).not.toContain('seeds ·');
    // and taken off before the summary: the last drawing is followed by a clear
    const before = screen.slice(0, summary);
    expect(before.slice(before.lastIndexOf('seeds ·'))).toContain(CLEAR);
  });
});
