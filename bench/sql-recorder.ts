// Records every SQL statement better-sqlite3 executes in this process (prepared statement
// calls, including the BEGIN/COMMIT of transactions and PRAGMAs, and exec), then replays the
// same statements with the same parameters on fresh databases: the physical floor of a run.
// A PRAGMA that returns nothing was read with all() in pragma mode; it replays with run(). An app's SQL
// function (a trigger's callback) is there on the twin from the start, doing nothing: the floor counts SQLite's call, not the app's work.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';

type Method = 'run' | 'get' | 'all' | 'exec';

interface Call {
  db: Database.Database;
  method: Method;
  sql: string;
  args: unknown[];
}

const STATEMENT_METHODS = ['run', 'get', 'all'] as const;

export class SqlRecorder {
  readonly calls: Call[] = [];
  /** The SQL functions the app registered on each database: name and options. */
  private readonly functions = new Map<Database.Database, [string, Database.RegistrationOptions][]>();
  private readonly restore: (() => void)[] = [];

  start(): void {
    const probe = new Database(':memory:');
    const statementPrototype = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, unknown>;
    probe.close();
    const calls = this.calls;
    for (const method of STATEMENT_METHODS) {
      const original = statementPrototype[method] as (...args: unknown[]) => unknown;
      statementPrototype[method] = function (this: Database.Statement, ...args: unknown[]) {
        calls.push({ db: this.database, method, sql: this.source, args });
        return original.apply(this, args);
      };
      this.restore.push(() => (statementPrototype[method] = original));
    }
    const databasePrototype = Database.prototype as unknown as Record<string, unknown>;
    const exec = databasePrototype.exec as (sql: string) => unknown;
    databasePrototype.exec = function (this: Database.Database, sql: string) {
      calls.push({ db: this, method: 'exec', sql, args: [] });
      return exec.call(this, sql);
    };
    this.restore.push(() => (databasePrototype.exec = exec));
    const functions = this.functions;
    const register = databasePrototype.function as (name: string, ...rest: unknown[]) => unknown;
    databasePrototype.function = function (this: Database.Database, name: string, ...rest: unknown[]) {
      const options = (rest.length > 1 ? rest[0] : {}) as Database.RegistrationOptions;
      functions.set(this, [...(functions.get(this) ?? []), [name, options]]);
      return register.call(this, name, ...rest);
    };
    this.restore.push(() => (databasePrototype.function = register));
  }

  stop(): void {
    this.restore.splice(0).forEach((undo) => undo());
  }

  /** Replays every recorded call on fresh databases like the recorded ones (in memory, or files of the same names); returns the wall time in ms. */
  replay(): number {
    const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-raw-'));
    const twins = new Map<Database.Database, Database.Database>();
    const statements = new Map<Database.Database, Map<string, Database.Statement>>();
    try {
      const startedMs = performance.now();
      for (const call of this.calls) {
        let twin = twins.get(call.db);
        if (!twin) {
          twin = new Database(call.db.memory ? ':memory:' : join(folder, `${twins.size}-${basename(call.db.name)}`));
          twins.set(call.db, twin);
          for (const [name, options] of this.functions.get(call.db) ?? []) twin.function(name, options, () => null);
          statements.set(twin, new Map());
        }
        if (call.method === 'exec') {
          twin.exec(call.sql);
          continue;
        }
        const cache = statements.get(twin) as Map<string, Database.Statement>;
        let statement = cache.get(call.sql);
        if (!statement) {
          statement = twin.prepare(call.sql);
          cache.set(call.sql, statement);
        }
        const method = statement.reader ? call.method : 'run';
        (statement[method] as (...args: unknown[]) => unknown)(...call.args);
      }
      return performance.now() - startedMs;
    } finally {
      twins.forEach((twin) => twin.close());
      rmSync(folder, { recursive: true, force: true });
    }
  }
}
