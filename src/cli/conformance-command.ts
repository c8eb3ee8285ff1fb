// `sync-chaos conformance --url URL`: checks a server that claims protocol v1, rule by rule, and prints
// a PASS/FAIL table; exit 0 when every rule passes, 1 on any failure, 2 on bad input (a bad URL or
// token), 3 when the server cannot be reached at all.
import { colors } from '../report/colors.ts';
import { Command } from 'commander';
import { checkConformance, ServerUnreachableError, type RuleResult } from '../conformance/conformance.ts';
import { BadInputError } from '../errors.ts';

const EXIT_FAILED = 1;
const EXIT_BAD_INPUT = 2;
const EXIT_UNREACHABLE = 3;

interface ConformanceFlags {
  url: string;
  token?: string;
  device?: string;
}

/** Where the command writes, and how it sends requests; tests replace them. */
export interface ConformanceIo {
  out(text: string): void;
  err(text: string): void;
  send?: typeof fetch;
}

const processIo: ConformanceIo = {
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
};

export function conformanceCommand(io: ConformanceIo = processIo): Command {
  return new Command('conformance')
    .description("check a server's protocol v1 contract rule by rule; exit 0 all pass, 1 a rule failed, 2 bad input, 3 unreachable")
    .requiredOption('--url <url>', 'the server\'s base URL, e.g. http://127.0.0.1:8080')
    .option('--token <token>', 'bearer token sent with every request')
    .option('--device <id>', "the deviceId to push as (with per-device tokens: the token's device)")
    .exitOverride()
    .configureOutput({ writeErr: (text) => io.err(text.replace(/\n$/, '')) })
    .action(async (flags: ConformanceFlags) => {
      process.exitCode = await conformance(flags, io);
    });
}

async function conformance(flags: ConformanceFlags, io: ConformanceIo): Promise<number> {
  if (flags.device === '') {
    io.err('--device must not be empty');
    return EXIT_BAD_INPUT;
  }
  let results: RuleResult[];
  try {
    results = await checkConformance({ url: flags.url, token: flags.token, deviceId: flags.device }, io.send);
  } catch (error) {
    if (error instanceof BadInputError) {
      io.err(error.message);
      return EXIT_BAD_INPUT;
    }
    if (error instanceof ServerUnreachableError) {
      io.err(`${error.message}\nIs the server running, and is --url right? Nothing was checked.`);
      return EXIT_UNREACHABLE;
    }
    throw error;
  }
  for (const line of tableOf(results)) io.out(line);
  const failed = results.filter((result) => !result.passed).length;
  io.out(`\n${results.length - failed} passed, ${failed} failed`);
  return failed > 0 ? EXIT_FAILED : 0;
}

/** One aligned line per rule: `PASS  rule  detail`. */
export function tableOf(results: RuleResult[]): string[] {
  const width = Math.max(...results.map((result) => result.rule.length));
  return results.map((result) => {
    const badge = result.passed ? colors.green('PASS') : colors.red('FAIL');
    return `${badge}  ${result.rule.padEnd(width)}  ${result.detail}`;
  });
}
