// The sync-chaos command line: one *-command.ts per command (`run` executes scenario files over
// one or many seeds, `validate` checks them, `init` sets an app up, `server` and `conformance` speak
// protocol v1 over HTTP); this module maps what escapes a command to its exit code: 2 bad input, 3 a crash.
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { BadInputError } from '../errors.ts';
import { EXIT_BAD_INPUT, EXIT_CRASH } from './exit-codes.ts';

/** Each command's module loads only when it runs, so `--version` and `validate` start without the simulator. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./run-command.ts')).runCommand(),
  validate: async () => (await import('./validate-command.ts')).validateCommand(),
  init: async () => (await import('./init-command.ts')).initCommand(),
  replay: async () => (await import('./replay-command.ts')).replayCommand(),
  server: async () => (await import('./server-command.ts')).serverCommand(),
  conformance: async () => (await import('./conformance-command.ts')).conformanceCommand(),
  report: async () => (await import('./report-command.ts')).reportCommand(),
  shrink: async () => (await import('./shrink-command.ts')).shrinkCommand(),
};

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const err = (text: string) => process.stderr.write(text + '\n');

async function program(argv: string[]): Promise<Command> {
  const cli = new Command('sync-chaos')
    .description('Deterministic chaos testing for offline-first sync.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  // the command named, none for --version, every one otherwise (for --help and "did you mean")
  const named = argv[2] ?? '';
  const known = ['-V', '--version'].includes(named) || named in COMMANDS;
  for (const [name, load] of Object.entries(COMMANDS)) {
    if (!known || name === named) cli.addCommand(await load());
  }
  return cli;
}

async function main(argv: string[]): Promise<void> {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  try {
    await (await program(argv)).parseAsync(argv);
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

/**
 * How long the process may live once its command is done (every command but `server`, which serves until a
 * signal): handles a library left open (a socket, a timer the run could not see) would keep it alive for
 * ever, so it then exits with the command's code. Unref'd: a process with nothing left open exits at once.
 */
const EXIT_GRACE_MS = 2000;

await main(process.argv);
if (process.argv[2] !== 'server') setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
