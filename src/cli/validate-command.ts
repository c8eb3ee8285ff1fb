// `sync-chaos validate <files...>`: checks scenario files without running them; prints one line per
// valid file, or every problem of every file and exits 2.
import { Command } from 'commander';
import { EXIT_BAD_INPUT } from './exit-codes.ts';
import { loadScenarioFiles } from './scenario-files.ts';

const out = (text: string) => process.stdout.write(text + '\n');

export function validateCommand(): Command {
  return new Command('validate')
    .exitOverride()
    .description('check scenario files without running them; exit 2 on any problem')
    .argument('<files...>', 'scenario YAML files')
    .exitOverride()
    .action((files: string[]) => {
      process.exitCode = validate(files);
    });
}

function validate(files: string[]): number {
  const scenarios = loadScenarioFiles(files);
  if (!scenarios) return EXIT_BAD_INPUT;
  for (const { file, scenario } of scenarios) out(`ok  ${file}  (${scenario.name})`);
  return 0;
}
