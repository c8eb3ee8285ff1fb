// Vitest's global setup: the end-to-end tests start bin/sync-chaos, which runs the compiled CLI in
// dist/, so the sources are built first whenever a file under src/ changed since the last build.
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from './cli-helpers.ts';

export default function buildDist(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: REPO_ROOT, stdio: 'inherit' });
}
