// Loads a user's module (a client or a server adapter) named in a scenario and hands over its default
// export, once it has the expected shape: a missing module or a wrong export is bad input, a module
// that throws while loading is the system under test failing. tsx's tsImport loads it whatever the
// app's module type: .ts, .mts, .cts, .js, .mjs, .cjs, in "type": "commonjs", "type": "module" or untyped packages.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { BadInputError, SystemUnderTestError } from '../errors.ts';
import { routeWsPackage } from '../transport/simulated/routed-websocket.ts';

/** The default export of the module at `path`, a `kind` module whose default export must be `expected` (`fits` tells). */
export async function defaultExportOf(path: string, kind: string, expected: string, fits: (value: unknown) => boolean = isFunction): Promise<unknown> {
  const exported = await moduleDefaultOf(path, kind);
  if (!fits(exported)) throw new BadInputError(`${kind} module ${path} must have a default export that is ${expected}`);
  return exported;
}

/** Whatever the module at `path` exports as its default. */
export async function moduleDefaultOf(path: string, kind: string): Promise<unknown> {
  if (!existsSync(path)) throw new BadInputError(`${kind} module not found: ${path}`);
  // before the module's own imports resolve: its `ws` must be the routed one (a run of the reference client loads no user module, and pays for neither)
  routeWsPackage();
  try {
    // tsx only for users' modules, and only once one is named: the CLI itself is compiled JavaScript.
    const { tsImport } = await import('tsx/esm/api');
    return defaultOf(await tsImport(pathToFileURL(path).href, import.meta.url));
  } catch (error) {
    throw new SystemUnderTestError(`${kind} module ${path} failed to load`, error);
  }
}

/**
 * A module's default export. TypeScript compiled to CommonJS (a .cts file, or .ts in a CommonJS
 * package) sets `exports.default`, which an import sees as the `default` of `module.exports`.
 */
function defaultOf(namespace: { default?: unknown }): unknown {
  const exported = namespace.default;
  const compiled = exported as { __esModule?: boolean; default?: unknown } | undefined;
  return compiled?.__esModule === true && 'default' in compiled ? compiled.default : exported;
}

function isFunction(value: unknown): boolean {
  return typeof value === 'function';
}
