// `npm run build`: compiles src/ to JavaScript and .d.ts in dist/ with tsc (tsconfig.build.json,
// incremental), then copies the files tsc does not emit: the pool worker's entry and the HTML
// report's assets. `--clean` (before `npm pack`) starts from an empty dist/, so nothing stale ships;
// `--if-stale` (the test suite's setup) builds only when a file under src/ is newer than dist/.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const ASSETS = ['run/pool-worker.mjs', 'transport/simulated/ws-resolve-hook.mjs', 'transport/simulated/routed-ws.mjs', 'report/html/page.css', 'report/html/page.js'];
const STAMP = 'dist/.tsbuildinfo';

process.chdir(new URL('..', import.meta.url).pathname);

/** The newest modification time of any file under `folder`, in ms. */
function newestMs(folder) {
  return Math.max(...readdirSync(folder, { withFileTypes: true }).map((entry) => {
    const path = join(folder, entry.name);
    return entry.isDirectory() ? newestMs(path) : statSync(path).mtimeMs;
  }));
}

const stale = !existsSync(STAMP) || newestMs('src') > statSync(STAMP).mtimeMs || statSync('tsconfig.build.json').mtimeMs > statSync(STAMP).mtimeMs;
if (process.argv.includes('--if-stale') && !stale) process.exit(0);
if (process.argv.includes('--clean')) rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
for (const asset of ASSETS) cpSync(`src/${asset}`, `dist/${asset}`);
// tsc leaves its build info untouched when no output changed; the stamp says when dist/ was last brought up to date
utimesSync(STAMP, new Date(), new Date());
