// A client module loads whatever the app's module type, as app teams write them: .ts, .mts, .cts,
// .js, .mjs and .cjs, in a package that says "type": "commonjs", one that says "type": "module",
// and one that says neither; each imports defineClient from 'sync-chaos' at run time.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadClient } from '../src/run/client-loader.ts';
import { scenarioSchema } from '../src/scenario/index.ts';
import { REPO_ROOT } from './cli-helpers.ts';

const ESM = `import { defineClient } from 'sync-chaos';
export default defineClient({ factory: (env) => ({ env }) as never });
`;
const TYPESCRIPT = `import { defineClient, type DeviceEnv, type SyncClient } from 'sync-chaos';
export default defineClient({ factory: (env: DeviceEnv) => ({ env }) as unknown as SyncClient });
`;
const COMMONJS = `const { defineClient } = require('sync-chaos');
module.exports = defineClient({ factory: (env) => ({ env }) });
`;

/** Which syntax each extension takes in each kind of package, as Node reads it. */
function sourceOf(extension: string, type: string | undefined): string {
  if (extension === 'ts' || extension === 'mts' || extension === 'cts') return TYPESCRIPT;
  if (extension === 'mjs' || (extension === 'js' && type === 'module')) return ESM;
  return COMMONJS;
}

const root = mkdtempSync(join(tmpdir(), 'sync-chaos-module-types-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const PACKAGES = [
  { name: 'commonjs', type: 'commonjs' },
  { name: 'module', type: 'module' },
  { name: 'untyped', type: undefined },
] as const;
const EXTENSIONS = ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs'] as const;

describe('a client module', () => {
  const cases = PACKAGES.flatMap(({ name, type }) => EXTENSIONS.map((extension) => [extension, name, type] as const));

  it.each(cases)('loads as a .%s file in a %s package', async (extension, name, type) => {
    const app = join(root, name);
    mkdirSync(join(app, 'node_modules'), { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: `app-${name}`, ...(type && { type }) }));
    try {
      symlinkSync(REPO_ROOT, join(app, 'node_modules', 'sync-chaos'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    writeFileSync(join(app, `client.${extension}`), sourceOf(extension, type));
    const system = scenarioSchema.parse({ name: 'module types', system: { client: `./client.${extension}` } }).system;
    const definition = await loadClient(system, app);
    expect(typeof definition.factory).toBe('function');
    expect(definition.factory({ deviceId: 'd1' } as never)).toEqual({ env: { deviceId: 'd1' } });
  });
});
