// The package as an app team gets it: `npm pack` of this repository (dist/ as vitest's setup built
// it), installed into a scratch app made by `npm init -y` (CommonJS) in the temp folder. Installing
// compiles better-sqlite3, so each test file installs once and its apps share that install.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, type CliOutcome } from './cli-helpers.ts';

/** What `npm pack --json` says of the tarball. */
export interface Packed {
  tarball: string;
  size: number;
  entryCount: number;
  files: { path: string }[];
}

/** Packs the repository into `folder` (its scripts skipped: dist/ is built already, and a clean build would pull it from under other tests). */
export function pack(folder: string): Packed {
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', folder], { cwd: REPO_ROOT, encoding: 'utf8' })) as (Omit<Packed, 'tarball'> & { filename: string })[];
  return { ...packed!, tarball: join(folder, packed!.filename) };
}

/** A scratch app made by `npm init -y` in `folder`, with `node_modules` linked to another app's when given. */
export function scratchApp(folder: string, sharedNodeModules?: string): string {
  mkdirSync(folder, { recursive: true });
  execFileSync('npm', ['init', '-y'], { cwd: folder, stdio: 'ignore' });
  if (sharedNodeModules) symlinkSync(sharedNodeModules, join(folder, 'node_modules'));
  return folder;
}

export function scratchFolder(): string {
  return mkdtempSync(join(tmpdir(), 'sync-chaos-package-'));
}

/** A command in `cwd`, as a shell step of CI would run it; never rejects. */
export function sh(command: string, cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliOutcome> {
  return new Promise((resolve) => {
    execFile('bash', ['-eo', 'pipefail', '-c', command], { cwd, env: { ...process.env, FORCE_COLOR: '0', ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** A small scenario for an app's own folder: two devices, a partition and a kill, two simulated minutes. */
export const SHORT_SCENARIO = `# yaml-language-server: $schema=../node_modules/sync-chaos/schema/scenario.schema.json
name: app-short
seed: 1
devices: 2
duration: 2m
resume: 1m
faults:
  - { at: 20s, for: 40s, partition: { target: d1, mode: drop } }
  - { at: 70s, kill: { target: d2, when: during-sync, restart_after: 10s } }
allow: [overwritten]
`;
