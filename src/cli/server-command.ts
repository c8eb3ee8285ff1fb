// `sync-chaos server`: the reference server on node:http until SIGTERM or SIGINT, which close it
// gracefully (in-flight requests finish) and exit 0. Bad flags, an unusable tokens file or db, or a
// port that cannot be had are BadInputErrors (exit 2).
import Database from 'better-sqlite3';
import { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  DEFAULT_DB_PATH,
  DEFAULT_HOST,
  startHttpServer,
  tokenProblem,
  type DeviceTokens,
  type HttpServerOptions,
  type RunningHttpServer,
} from '../serve/http-server.ts';
import { CONFLICT_POLICIES, type ConflictPolicy } from '../protocol/v1.ts';
import { BadInputError } from '../errors.ts';

interface ServerFlags {
  port: string;
  host: string;
  db: string;
  conflict: string;
  tokens?: string;
}

const out = (text: string) => process.stdout.write(text + '\n');

/** Listening errors that are the user's to fix, in words. */
const LISTEN_PROBLEMS: Record<string, (host: string, port: number) => string> = {
  EADDRINUSE: (host, port) => `port ${port} on ${host} is already in use`,
  EACCES: (_host, port) => `listening on port ${port} needs privileges this process does not have`,
  EADDRNOTAVAIL: (host) => `--host ${host} is not an address of this machine`,
};

export function serverCommand(): Command {
  return (
    new Command('server')
      .description('run the reference sync server over HTTP (protocol v1) until SIGTERM; exit 2 on bad flags')
      .option('--port <port>', 'TCP port; 0 picks a free one', '8080')
      .option('--host <address>', 'address to listen on', DEFAULT_HOST)
      .option('--db <file>', 'SQLite file holding the server state, created if missing', DEFAULT_DB_PATH)
      .option('--conflict <policy>', `conflict policy: ${CONFLICT_POLICIES.join(', ')}`, 'server-wins')
      .option('--tokens <file.json>', 'per-device bearer tokens, {"d1": "secret1", …}; without it the server is open')
      // addCommand() does not pass the parent's exitOverride on: without this a bad flag would exit 1, not 2.
      .exitOverride()
      .action(async (flags: ServerFlags) => {
        const options = optionsOf(flags);
        const server = await start(options);
        announce(server, options);
        stopOnSignal(server);
      })
  );
}

function optionsOf(flags: ServerFlags): HttpServerOptions & { dbPath: string; policy: ConflictPolicy; tokens: DeviceTokens } {
  return {
    port: portOf(flags.port),
    host: flags.host,
    dbPath: dbPathOf(flags.db),
    policy: policyOf(flags.conflict),
    tokens: flags.tokens === undefined ? 'open' : loadTokens(flags.tokens),
  };
}

function portOf(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new BadInputError(`--port expects a whole number from 0 to 65535, found "${text}"`);
  return port;
}

function policyOf(text: string): ConflictPolicy {
  const policy = CONFLICT_POLICIES.find((name) => name === text);
  if (!policy) throw new BadInputError(`--conflict must be one of ${CONFLICT_POLICIES.join(', ')}; found "${text}"`);
  return policy;
}

function dbPathOf(file: string): string {
  if (!existsSync(dirname(resolve(file)))) throw new BadInputError(`--db ${file}: its folder does not exist`);
  return file;
}

/** A JSON object of device id → token, every token a non-empty string of its own. */
function loadTokens(file: string): ReadonlyMap<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new BadInputError(`--tokens ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BadInputError(`--tokens ${file}: expected a JSON object of device id to token, like {"d1": "secret1"}`);
  }
  const tokens = new Map(Object.entries(parsed as Record<string, unknown>)) as Map<string, string>;
  const problem = tokens.size === 0 ? 'names no device' : tokenProblem(tokens);
  if (problem) throw new BadInputError(`--tokens ${file}: ${problem}`);
  return tokens;
}

async function start(options: HttpServerOptions & { dbPath: string }): Promise<RunningHttpServer> {
  try {
    return await startHttpServer(options);
  } catch (error) {
    const problem = LISTEN_PROBLEMS[(error as NodeJS.ErrnoException).code ?? ''];
    if (problem) throw new BadInputError(`cannot start the server: ${problem(options.host ?? DEFAULT_HOST, options.port)}`);
    if (error instanceof Database.SqliteError) throw new BadInputError(`--db ${options.dbPath}: ${error.message}`);
    throw error;
  }
}

function announce(server: RunningHttpServer, options: { dbPath: string; policy: ConflictPolicy; tokens: DeviceTokens }): void {
  out(`sync-chaos server listening on ${server.url} (protocol v1, policy ${options.policy}, db ${options.dbPath})`);
  out(
    options.tokens === 'open'
      ? 'open: no --tokens given, so any client may push as any device'
      : `bearer tokens required for ${options.tokens.size} ${options.tokens.size === 1 ? 'device' : 'devices'}: ${[...options.tokens.keys()].join(', ')}`,
  );
}

/** The first SIGTERM or SIGINT closes gracefully and exits 0; a second one, with no handler left, stops at once. */
function stopOnSignal(server: RunningHttpServer): void {
  const stop = (signal: NodeJS.Signals) => {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    out(`${signal}: finishing in-flight requests, then stopping`);
    server.close().then(
      () => {
        out('sync-chaos server stopped');
        process.exitCode = 0;
      },
      (error: unknown) => {
        process.stderr.write(`closing the server failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 3;
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
