// The `--reporter <name>` option, repeatable as in vitest, shared by `run` and `report merge`:
// each use adds a name checked against the reporter registry.
import { InvalidArgumentError, Option } from 'commander';
import { isReporterName, REPORTER_NAMES, type ReporterName } from '../report/registry.ts';

export function reporterOption(defaultText: string): Option {
  return new Option('--reporter <name>', `output format, repeatable: ${REPORTER_NAMES.join(', ')} (default: ${defaultText})`).argParser(collectReporter);
}

function collectReporter(name: string, previous: ReporterName[] | undefined): ReporterName[] {
  if (!isReporterName(name)) throw new InvalidArgumentError(`Allowed choices are ${REPORTER_NAMES.join(', ')}.`);
  return [...(previous ?? []), name];
}
