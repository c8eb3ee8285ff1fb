// The sync-chaos command line: one *-command.ts per command (`run` executes scenario files over
// one or many seeds, `validate` checks them, `server` and `conformance` speak protocol v1 over
// HTTP); this module maps what escapes a command to its exit code: 2 bad input, 3 a crash.
import { Command, CommanderError } from 'commander';
import { BadInputError } from '../errors.ts';
import { conformanceCommand } from './conformance-command.ts';
import { EXIT_BAD_INPUT, EXIT_CRASH } from './exit-codes.ts';
import { replayCommand } from './replay-command.ts';
import { reportCommand } from './report-command.ts';
import { runCommand } from './run-command.ts';
import { serverCommand } from './server-command.ts';
import { shrinkCommand } from './shrink-command.ts';
import { validateCommand } from './validate-command.ts';

const err = (text: string) => process.stderr.write(text + '\n');

function program(): Command {
  const cli = new Command('sync-chaos')
    .description('Deterministic chaos testing for offline-first sync.')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  for (const command of [runCommand(), validateCommand(), replayCommand(), serverCommand(), conformanceCommand(), reportCommand(), shrinkCommand()]) {
    cli.addCommand(command);
  }
  return cli;
}

async function main(argv: string[]): Promise<void> {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  try {
    await program().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    } else if (error instanceof BadInputError) {
      err(error.message);
      process.exitCode = EXIT_BAD_INPUT;
    } else {
      err(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exitCode = EXIT_CRASH;
    }
  }
}

await main(process.argv);
