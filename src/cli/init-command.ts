// `sync-chaos init`: sets an app up to test its own client. It writes an adapter skeleton that
// passes the shipped scenarios (the worked example of docs/adapters.md), a scenario of its own, the
// project config, an npm script and a GitHub Actions workflow; it overwrites nothing without --force.
import { Command } from 'commander';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BadInputError } from '../errors.ts';

const TEMPLATES = new URL('../../templates/', import.meta.url);

/** Each file init writes: where in the app, from which template. */
const FILES = [
  { path: 'sync-chaos/adapter.ts', template: 'adapter.ts' },
  { path: 'sync-chaos/offline.yaml', template: 'scenario.yaml' },
  { path: 'sync-chaos.config.ts', template: 'sync-chaos.config.ts' },
  { path: '.github/workflows/sync-chaos.yml', template: 'sync-chaos.yml' },
] as const;

const SCRIPT = { name: 'sync-chaos', command: 'sync-chaos run' };

export function initCommand(): Command {
  return new Command('init')
    .exitOverride()
    .description('set this app up: an adapter skeleton, a scenario, sync-chaos.config.ts, an npm script and a GitHub Actions workflow')
    .option('--force', 'overwrite files that are already there')
    .action((flags: { force?: boolean }) => {
      init(process.cwd(), flags.force === true).forEach((line) => process.stdout.write(line + '\n'));
    });
}

/** Writes the files into the app at `root`; what it did, a line each. */
export function init(root: string, force: boolean): string[] {
  const manifestPath = join(root, 'package.json');
  if (!existsSync(manifestPath)) throw new BadInputError(`no package.json in ${root}: run sync-chaos init in your app's folder (npm init first)`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { scripts?: Record<string, string> };
  const existing = FILES.filter(({ path }) => existsSync(join(root, path))).map(({ path }) => path);
  const scriptTaken = manifest.scripts?.[SCRIPT.name] !== undefined && manifest.scripts[SCRIPT.name] !== SCRIPT.command;
  if (!force && (existing.length > 0 || scriptTaken)) {
    const taken = [...existing, ...(scriptTaken ? [`the "${SCRIPT.name}" script in package.json`] : [])];
    throw new BadInputError(`sync-chaos init would overwrite ${taken.join(', ')}; nothing was written (--force overwrites)`);
  }
  const done = FILES.map(({ path, template }) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), readFileSync(new URL(template, TEMPLATES)));
    return `wrote ${path}`;
  });
  manifest.scripts = { ...manifest.scripts, [SCRIPT.name]: SCRIPT.command };
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  return [...done, `added the npm script "${SCRIPT.name}": ${SCRIPT.command}`, 'next: npx sync-chaos run   (then make sync-chaos/adapter.ts call your own client)'];
}
