// The database handle an app process gets: a better-sqlite3 connection that the harness can
// kill between any two statements. At death the open transaction rolls back, as SQLite does
// after a crash, and the dead process's code that keeps running finds its handle inert.
import Database from 'better-sqlite3';

/** What every database call of a dead process throws. */
export class ProcessKilledError extends Error {
  override readonly name = 'ProcessKilledError';

  constructor() {
    super('the app process was killed: its database handle is fenced');
  }
}

export interface FencedDatabase {
  /** What the client gets: behaves like the raw better-sqlite3 connection while the process lives. */
  readonly handle: Database.Database;
  /**
   * Statements executed through the handle so far: each `run`, `get`, `all`, `iterate`, `exec`
   * and `pragma` counts one. Preparing, binding and transaction control (BEGIN, COMMIT,
   * savepoints) do not: a kill just before a COMMIT leaves the same file as a kill at the
   * transaction's last statement, and one just after it the same as a kill at the next statement.
   */
  statementsRun(): number;
  /** Makes the n-th statement from now (1 = the very next) throw `ProcessKilledError` instead of executing, killing the process. */
  killAtStatement(n: number): void;
  /** Calls off a kill armed by `killAtStatement` that has not struck yet. */
  disarm(): void;
  /** Kills the process now: closes its open queries, rolls back its open transaction, then tells the listeners. */
  kill(): void;
  readonly dead: boolean;
  /** Called once, synchronously, at the moment of death (at once if the process is already dead). */
  onKilled(listener: () => void): void;
}

export function fenceDatabase(db: Database.Database): FencedDatabase {
  return new Fence(db);
}

type RawStatement = Database.Statement<unknown[], unknown>;
type Method = (...args: unknown[]) => unknown;

class Fence implements FencedDatabase {
  readonly handle: Database.Database;
  readonly control;
  /** Queries the process has started and not finished: they hold the connection busy until closed. */
  readonly iterators = new Set<FencedIterator<unknown>>();
  private readonly listeners: Array<() => void> = [];
  private statementCount = 0;
  private killAt = Number.POSITIVE_INFINITY;
  private deadValue = false;

  constructor(readonly raw: Database.Database) {
    this.handle = new FencedHandle(this) as unknown as Database.Database;
    // the statements better-sqlite3's own transaction wrapper runs, prepared on the raw connection
    this.control = {
      begin: raw.prepare('BEGIN'),
      deferred: raw.prepare('BEGIN DEFERRED'),
      immediate: raw.prepare('BEGIN IMMEDIATE'),
      exclusive: raw.prepare('BEGIN EXCLUSIVE'),
      commit: raw.prepare('COMMIT'),
      rollback: raw.prepare('ROLLBACK'),
      savepoint: raw.prepare('SAVEPOINT `\t_fence.\t`'),
      release: raw.prepare('RELEASE `\t_fence.\t`'),
      rollbackTo: raw.prepare('ROLLBACK TO `\t_fence.\t`'),
    };
  }

  get dead(): boolean {
    return this.deadValue;
  }

  statementsRun(): number {
    return this.statementCount;
  }

  killAtStatement(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`killAtStatement needs a whole number >= 1, got ${n}`);
    this.killAt = this.statementCount + n;
  }

  disarm(): void {
    this.killAt = Number.POSITIVE_INFINITY;
  }

  kill(): void {
    if (this.deadValue) return;
    this.deadValue = true;
    for (const iterator of this.iterators) iterator.close();
    this.iterators.clear();
    if (this.raw.open && this.raw.inTransaction) this.control.rollback.run();
    for (const listener of this.listeners.splice(0)) listener();
  }

  onKilled(listener: () => void): void {
    if (this.deadValue) listener();
    else this.listeners.push(listener);
  }

  /** Before a statement executes: counts it, or dies instead if this is the planned one. */
  enter(): void {
    if (this.deadValue) throw new ProcessKilledError();
    if (this.statementCount + 1 === this.killAt) {
      this.kill();
      throw new ProcessKilledError();
    }
    this.statementCount++;
  }

  /** Before any other use of the connection: a dead process may not touch it. */
  check(): void {
    if (this.deadValue) throw new ProcessKilledError();
  }

  /** better-sqlite3's transaction wrapper, except that a dead process neither commits nor touches the connection. */
  runTransaction(begin: RawStatement, fn: Method, thisArg: unknown, args: unknown[]): unknown {
    this.check();
    const { commit, rollback, savepoint, release, rollbackTo } = this.control;
    const nested = this.raw.inTransaction;
    (nested ? savepoint : begin).run();
    try {
      const result = fn.apply(thisArg, args);
      if (result && typeof (result as { then?: unknown }).then === 'function') {
        throw new TypeError('Transaction function cannot return a promise');
      }
      this.check();
      (nested ? release : commit).run();
      return result;
    } catch (error) {
      if (!this.deadValue && this.raw.inTransaction) {
        (nested ? rollbackTo : rollback).run();
        if (nested) release.run();
      }
      throw error;
    }
  }
}

class FencedHandle {
  constructor(private readonly fence: Fence) {}

  get name(): string {
    return this.fence.raw.name;
  }

  get memory(): boolean {
    return this.fence.raw.memory;
  }

  get readonly(): boolean {
    return this.fence.raw.readonly;
  }

  /** A dead process's connection is closed, whatever the harness does with the real one. */
  get open(): boolean {
    return !this.fence.dead && this.fence.raw.open;
  }

  get inTransaction(): boolean {
    return !this.fence.dead && this.fence.raw.inTransaction;
  }

  prepare(source: string): FencedStatement {
    this.fence.check();
    return new FencedStatement(this.fence, this.fence.raw.prepare(source));
  }

  exec(source: string): this {
    this.fence.enter();
    this.fence.raw.exec(source);
    return this;
  }

  pragma(source: string, options?: Database.PragmaOptions): unknown {
    this.fence.enter();
    return this.fence.raw.pragma(source, options);
  }

  transaction(fn: Method): Method {
    this.fence.check();
    const fence = this.fence;
    const variant = (begin: RawStatement): Method =>
      function sqliteTransaction(this: unknown, ...args: unknown[]) {
        return fence.runTransaction(begin, fn, this, args);
      };
    const { begin, deferred, immediate, exclusive } = fence.control;
    const variants = [variant(begin), variant(deferred), variant(immediate), variant(exclusive)] as const;
    const properties: PropertyDescriptorMap = {
      default: { value: variants[0] },
      deferred: { value: variants[1] },
      immediate: { value: variants[2] },
      exclusive: { value: variants[3] },
      database: { value: this, enumerable: true },
    };
    for (const transaction of variants) Object.defineProperties(transaction, properties);
    return variants[0];
  }

  serialize(...args: unknown[]): unknown {
    return this.forward('serialize', args);
  }

  backup(...args: unknown[]): unknown {
    return this.forward('backup', args);
  }

  function(...args: unknown[]): this {
    this.forward('function', args);
    return this;
  }

  aggregate(...args: unknown[]): this {
    this.forward('aggregate', args);
    return this;
  }

  table(...args: unknown[]): this {
    this.forward('table', args);
    return this;
  }

  loadExtension(...args: unknown[]): this {
    this.forward('loadExtension', args);
    return this;
  }

  defaultSafeIntegers(...args: unknown[]): this {
    this.forward('defaultSafeIntegers', args);
    return this;
  }

  unsafeMode(...args: unknown[]): this {
    this.forward('unsafeMode', args);
    return this;
  }

  /** Closes the connection while the process lives; after death the harness owns it, so this does nothing. */
  close(): this {
    if (!this.fence.dead) this.fence.raw.close();
    return this;
  }

  private forward(method: keyof Database.Database, args: unknown[]): unknown {
    this.fence.check();
    return (this.fence.raw[method] as Method).apply(this.fence.raw, args);
  }
}
// `handle instanceof Database` holds, as it does for the raw connection; every method is overridden above
Object.setPrototypeOf(FencedHandle.prototype, Database.prototype);

class FencedStatement implements RawStatement {
  constructor(
    private readonly fence: Fence,
    private readonly target: RawStatement,
  ) {}

  get database(): Database.Database {
    return this.fence.handle;
  }

  get source(): string {
    return this.target.source;
  }

  get reader(): boolean {
    return this.target.reader;
  }

  get readonly(): boolean {
    return this.target.readonly;
  }

  get busy(): boolean {
    return this.target.busy;
  }

  run(...params: unknown[]): Database.RunResult {
    this.fence.enter();
    return this.target.run(...params);
  }

  get(...params: unknown[]): unknown {
    this.fence.enter();
    return this.target.get(...params);
  }

  all(...params: unknown[]): unknown[] {
    this.fence.enter();
    return this.target.all(...params);
  }

  iterate(...params: unknown[]): IterableIterator<unknown> {
    this.fence.enter();
    const iterator = new FencedIterator(this.fence, this.target.iterate(...params));
    this.fence.iterators.add(iterator);
    return iterator;
  }

  // the mode switches pass their arguments on as given: `pluck()` and `pluck(undefined)` differ
  pluck(...toggleState: [boolean?]): this {
    this.fence.check();
    this.target.pluck(...toggleState);
    return this;
  }

  expand(...toggleState: [boolean?]): this {
    this.fence.check();
    this.target.expand(...toggleState);
    return this;
  }

  raw(...toggleState: [boolean?]): this {
    this.fence.check();
    this.target.raw(...toggleState);
    return this;
  }

  safeIntegers(...toggleState: [boolean?]): this {
    this.fence.check();
    this.target.safeIntegers(...toggleState);
    return this;
  }

  bind(...params: unknown[]): this {
    this.fence.check();
    this.target.bind(...params);
    return this;
  }

  columns(): Database.ColumnDefinition[] {
    this.fence.check();
    return this.target.columns();
  }
}

class FencedIterator<T> implements IterableIterator<T> {
  constructor(
    private readonly fence: Fence,
    private readonly target: IterableIterator<T>,
  ) {}

  next(): IteratorResult<T> {
    this.fence.check();
    try {
      const result = this.target.next();
      if (result.done) this.fence.iterators.delete(this);
      return result;
    } catch (error) {
      this.fence.iterators.delete(this);
      throw error;
    }
  }

  /** Ends the query early (`break` in a for-of); after death it is already closed. */
  return(value?: T): IteratorResult<T> {
    this.fence.iterators.delete(this);
    if (!this.fence.dead) this.close();
    return { done: true, value: value as T };
  }

  /** Releases the connection the query holds busy. */
  close(): void {
    this.target.return?.();
  }

  [Symbol.iterator](): this {
    return this;
  }
}
