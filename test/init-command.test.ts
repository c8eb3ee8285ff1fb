// `sync-chaos init` in an app's folder: it writes the adapter skeleton, a scenario, the config, the
// npm script and the workflow the README prints, and refuses to overwrite any of them without --force.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { init } from '../src/cli/init-command.ts';
import { REPO_ROOT } from './cli-helpers.ts';

const apps: string[] = [];
afterAll(() => apps.forEach((app) => rmSync(app, { recursive: true, force: true })));

function app(scripts: Record<string, string> = {}): string {
  const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-init-'));
  apps.push(folder);
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'app', type: 'commonjs', scripts }));
  return folder;
}

describe('sync-chaos init', () => {
  it('writes the adapter skeleton, a scenario, the config, the workflow and the npm script, keeping the scripts already there', () => {
    const folder = app({ test: 'vitest' });
    expect(init(folder, false)).toEqual([
      'wrote sync-chaos/adapter.ts',
      'wrote sync-chaos/offline.yaml',
      'wrote sync-chaos.config.ts',
      'wrote .github/workflows/sync-chaos.yml',
      'added the npm script "sync-chaos": sync-chaos run',
      'next: npx sync-chaos run   (then make sync-chaos/adapter.ts call your own client)',
    ]);
    expect(readFileSync(join(folder, 'sync-chaos/adapter.ts'), 'utf8')).toBe(readFileSync(join(REPO_ROOT, 'templates/adapter.ts'), 'utf8'));
    expect(JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')).scripts).toEqual({ test: 'vitest', 'sync-chaos': 'sync-chaos run' });
  });

  it('refuses to overwrite a file or a script of the same name without --force, writing nothing', () => {
    const folder = app();
    init(folder, false);
    writeFileSync(join(folder, 'sync-chaos.config.ts'), '// mine\n');
    expect(() => init(folder, false)).toThrow(/would overwrite sync-chaos\/adapter.ts, sync-chaos\/offline.yaml, sync-chaos.config.ts, .github\/workflows\/sync-chaos.yml; nothing was written/);
    expect(readFileSync(join(folder, 'sync-chaos.config.ts'), 'utf8')).toBe('// mine\n');
    init(folder, true);
    expect(readFileSync(join(folder, 'sync-chaos.config.ts'), 'utf8')).toBe(readFileSync(join(REPO_ROOT, 'templates/sync-chaos.config.ts'), 'utf8'));

    const scripted = app({ 'sync-chaos': 'something else' });
    expect(() => init(scripted, false)).toThrow(/the "sync-chaos" script in package.json/);
  });

  it('is bad input outside an app (no package.json)', () => {
    const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-init-'));
    apps.push(folder);
    expect(() => init(folder, false)).toThrow(/no package.json/);
  });

  it('writes the very workflow the README prints', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]);
    expect(blocks).toContain(readFileSync(join(REPO_ROOT, 'templates/sync-chaos.yml'), 'utf8'));
  });
});
