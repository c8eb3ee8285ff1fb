// The README's GitHub Actions workflow, as printed, in an app set up by `sync-chaos init`: each
// step's `run:` lines executed in order in a scratch app (`npm ci` installs the packed package, the
// one install of this file), writing the step summary, junit.xml and report.html the later steps publish.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from './cli-helpers.ts';
import { pack, scratchApp, scratchFolder, sh } from './package-helpers.ts';

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  with?: { report_paths?: string; path?: string };
}

let folder: string;
let app: string;

beforeAll(() => {
  folder = scratchFolder();
  const { tarball } = pack(folder);
  app = scratchApp(join(folder, 'app'));
  // the lock file names the tarball, as a committed one would; the workflow's npm ci installs it
  execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund', '--save-dev', tarball], { cwd: app, stdio: 'ignore' });
  execFileSync(process.execPath, [join(REPO_ROOT, 'bin/sync-chaos'), 'init'], { cwd: app, stdio: 'ignore' });
  // the app's own scenario only, one seed: the workflow is under test here, not the suite
  writeFileSync(
    join(app, 'sync-chaos.config.ts'),
    "import { defineConfig } from 'sync-chaos';\n\nexport default defineConfig({ scenarios: ['sync-chaos/*.yaml'], client: './sync-chaos/adapter.ts', reporters: ['console', 'junit', 'markdown', 'html', 'json'] });\n",
  );
}, 120_000);

afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("the README's CI workflow", () => {
  it('runs step by step in an app set up by init, and leaves the step summary, junit.xml and report.html for the steps after it', async () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const printed = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => parse(match[1]!) as { name?: string; jobs?: { chaos?: { steps: Step[] } } });
    const steps = printed.find((workflow) => workflow.name === 'sync-chaos')?.jobs?.chaos?.steps ?? [];
    expect(steps.filter((step) => step.run).map((step) => step.run!.trim())).toEqual(['npm ci', 'npx sync-chaos run', 'cat reports/latest/summary.md >> "$GITHUB_STEP_SUMMARY"']);

    const summary = join(folder, 'step-summary.md');
    for (const step of steps.filter((each) => each.run)) {
      const outcome = await sh(step.run!, app, { GITHUB_STEP_SUMMARY: summary, CI: 'true' });
      expect(outcome.code, `${step.run}\n${outcome.stdout}\n${outcome.stderr}`).toBe(0);
    }
    expect(readFileSync(summary, 'utf8')).toMatch(/^## ✅ sync-chaos: all 1 case passed/);
    const published = steps.flatMap((step) => [step.with?.report_paths, step.with?.path]).filter((path): path is string => path !== undefined);
    expect(published).toEqual(['reports/latest/junit.xml', 'reports/latest/']);
    for (const path of [...published, 'reports/latest/report.html']) expect(existsSync(join(app, path)), path).toBe(true);
    expect(readFileSync(join(app, 'reports/latest/junit.xml'), 'utf8')).toContain('my-app-offline');
  }, 1_500_000);
});
