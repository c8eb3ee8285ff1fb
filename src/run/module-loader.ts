// Loads a user's module (a client or a server adapter) named in a scenario and hands over its default
// export, once it has the expected shape: a missing module or a wrong export is bad input, a module
// that throws while loading is the system under test failing.
import { pathToFileURL } from 'node:url';
import { BadInputError, SystemUnderTestError } from '../errors.ts';

/** The default export of the module at `path`, a `kind` module whose default export must be `expected` (`fits` tells). */
export async function defaultExportOf(path: string, kind: string, expected: string, fits: (value: unknown) => boolean = isFunction): Promise<unknown> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(path)) {
      throw new BadInputError(`${kind} module not found: ${path}`);
    }
    throw new SystemUnderTestError(`${kind} module ${path} failed to load`, error);
  }
  if (!fits(module.default)) throw new BadInputError(`${kind} module ${path} must have a default export that is ${expected}`);
  return module.default;
}

function isFunction(value: unknown): boolean {
  return typeof value === 'function';
}
