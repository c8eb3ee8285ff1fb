import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fenceDatabase, ProcessKilledError, type FencedDatabase } from '../src/device/fenced-db.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** A store in a file (WAL), so a second connection can read what is committed, and a fence on it. */
function newStore(): { path: string; raw: Database.Database; fence: FencedDatabase; db: Database.Database } {
  const folder = mkdtempSync(join(tmpdir(), 'sync-chaos-fenced-'));
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  const path = join(folder, 'device.sqlite');
  const raw = new Database(path);
  raw.pragma('journal_mode = WAL');
  cleanups.push(() => raw.close());
  raw.exec(`
    CREATE TABLE records (id TEXT PRIMARY KEY, title TEXT NOT NULL);
    CREATE TABLE queue (seq INTEGER PRIMARY KEY AUTOINCREMENT, record_id TEXT NOT NULL);
  `);
  const fence = fenceDatabase(raw);
  return { path, raw, fence, db: fence.handle };
}

/** What is in the file, read by a new connection, as the next boot of the app would see it. */
function onDisk(path: string): { records: string[]; queue: string[] } {
  const reader = new Database(path, { readonly: true });
  try {
    return {
      records: reader.prepare('SELECT id FROM records ORDER BY id').pluck().all() as string[],
      queue: reader.prepare('SELECT record_id FROM queue ORDER BY seq').pluck().all() as string[],
    };
  } finally {
    reader.close();
  }
}

function expectKilled(call: () => unknown): void {
  expect(call).toThrow(ProcessKilledError);
}

/** Client-style code exercising the better-sqlite3 API; returns everything it observed. */
function exerciseApi(db: Database.Database): unknown[] {
  const seen: unknown[] = [];
  seen.push(db.exec('CREATE TABLE t (a INTEGER, b TEXT)') === db);
  const insert = db.prepare('INSERT INTO t (a, b) VALUES (?, ?)');
  seen.push(insert.source, insert.reader, insert.readonly, insert.busy, insert.database === db);
  seen.push(insert.run(1, 'one'));
  const insertMany = db.transaction((rows: Array<[number, string]>) => {
    for (const row of rows) insert.run(...row);
    return rows.length;
  });
  seen.push(insertMany([[2, 'two'], [3, 'three']]), (insertMany as unknown as { database: unknown }).database === db);
  seen.push(insertMany.immediate([[4, 'four']]), insertMany.deferred([[5, 'five']]), insertMany.exclusive([[6, 'six']]));
  const nested = db.transaction(() => {
    insert.run(7, 'seven');
    seen.push(db.inTransaction);
    try {
      db.transaction(() => {
        insert.run(8, 'eight');
        throw new Error('inner fails');
      })();
    } catch (error) {
      seen.push((error as Error).message);
    }
  });
  nested();
  seen.push(db.inTransaction);
  const select = db.prepare<[number], { a: number; b: string }>('SELECT a, b FROM t WHERE a >= ? ORDER BY a');
  seen.push(select.get(1), select.all(5), [...select.iterate(6)]);
  for (const row of select.iterate(1)) {
    seen.push(row);
    if (row.a === 2) break;
  }
  seen.push(select.pluck() === select, select.all(6), select.pluck(false).get(7));
  seen.push(select.raw() === select, select.all(6), select.raw(false).get(7));
  seen.push(select.expand() === select, select.get(7), select.expand(false).get(7));
  seen.push(select.columns().map((column) => column.name));
  const bound = db.prepare('SELECT b FROM t WHERE a = ?').pluck().bind(3);
  seen.push(bound.get());
  seen.push(db.prepare('SELECT count(*) FROM t').pluck().safeIntegers().get());
  seen.push(db.function('double_it', (x: number) => x * 2) === db, db.prepare('SELECT double_it(21)').pluck().get());
  seen.push(db.pragma('user_version', { simple: true }), db.pragma('user_version = 7'), db.pragma('table_info(t)'));
  seen.push(db.name === '' || db.name.endsWith('.sqlite'), db.memory, db.readonly, db.open);
  seen.push(db.serialize().length > 0);
  try {
    db.prepare('INSERT INTO nowhere VALUES (1)');
  } catch (error) {
    seen.push((error as Error).constructor.name, (error as Error).message);
  }
  return seen;
}

describe('a fenced database handle while the process lives', () => {
  it('behaves exactly like the raw connection for client code', () => {
    const raw = new Database(':memory:');
    const other = new Database(':memory:');
    cleanups.push(() => raw.close(), () => other.close());
    const fence = fenceDatabase(other);
    const viaFence = exerciseApi(fence.handle);
    expect(viaFence).toEqual(exerciseApi(raw));
    expect(fence.dead).toBe(false);
    expect(fence.handle).toBeInstanceOf(Database);
  });

  it('counts each run, get, all, iterate, exec and pragma as one statement, and nothing else', () => {
    const { fence, db } = newStore();
    expect(fence.statementsRun()).toBe(0);
    const insert = db.prepare('INSERT INTO records VALUES (?, ?)');
    const select = db.prepare('SELECT id FROM records').pluck();
    select.bind();
    expect(fence.statementsRun()).toBe(0);
    insert.run('a', 'A');
    insert.run('b', 'B');
    expect(fence.statementsRun()).toBe(2);
    select.get();
    select.all();
    expect([...select.iterate()]).toEqual(['a', 'b']);
    expect(fence.statementsRun()).toBe(5);
    db.exec('INSERT INTO records VALUES (1, 1); INSERT INTO records VALUES (2, 2);');
    db.pragma('user_version');
    expect(fence.statementsRun()).toBe(7);
    db.transaction(() => insert.run('c', 'C'))(); // BEGIN and COMMIT are not counted
    expect(fence.statementsRun()).toBe(8);
  });

  it('closes the connection when the client closes it', () => {
    const raw = new Database(':memory:');
    const fence = fenceDatabase(raw);
    expect(fence.handle.close()).toBe(fence.handle);
    expect(raw.open).toBe(false);
  });
});

describe('killAtStatement', () => {
  it('kills at the n-th statement from now: that one throws instead of executing, earlier ones ran', () => {
    const { path, fence, db } = newStore();
    const insert = db.prepare('INSERT INTO records VALUES (?, ?)');
    insert.run('before', 'x');
    fence.killAtStatement(3);
    insert.run('first', 'x');
    insert.run('second', 'x');
    expectKilled(() => insert.run('third', 'x'));
    expect(fence.dead).toBe(true);
    expect(fence.statementsRun()).toBe(3);
    expect(onDisk(path).records).toEqual(['before', 'first', 'second']);
  });

  it('counts from the moment it is called, and a later call replaces the earlier point', () => {
    const { fence, db } = newStore();
    const count = db.prepare('SELECT count(*) FROM records').pluck();
    count.get();
    fence.killAtStatement(1);
    fence.killAtStatement(2);
    count.get();
    expect(fence.dead).toBe(false);
    expectKilled(() => count.get());
  });

  it('refuses anything but a whole number of at least 1', () => {
    const { fence } = newStore();
    for (const n of [0, -1, 1.5, Number.NaN]) expect(() => fence.killAtStatement(n)).toThrow(RangeError);
  });
});

describe('death inside a transaction', () => {
  it('rolls the transaction back: a new connection finds nothing of it in the file', () => {
    const { path, raw, fence, db } = newStore();
    const insert = db.prepare('INSERT INTO records VALUES (?, ?)');
    insert.run('committed', 'x');
    const writeBoth = db.transaction(() => {
      insert.run('in-tx-1', 'x');
      insert.run('in-tx-2', 'x');
    });
    fence.killAtStatement(2);
    expectKilled(writeBoth);
    expect(raw.inTransaction).toBe(false);
    expect(onDisk(path).records).toEqual(['committed']);
  });

  it('rolls back nested transactions all the way out', () => {
    const { path, fence, db } = newStore();
    const insert = db.prepare('INSERT INTO records VALUES (?, ?)');
    fence.killAtStatement(3);
    expectKilled(
      db.transaction(() => {
        insert.run('outer', 'x');
        db.transaction(() => {
          insert.run('inner-1', 'x');
          insert.run('inner-2', 'x');
        })();
      }),
    );
    expect(onDisk(path).records).toEqual([]);
  });

  it('keeps the first of two separate transactions and loses the second; one transaction holding both keeps neither', () => {
    const twoTransactions = (db: Database.Database) => {
      db.transaction(() => db.prepare('INSERT INTO records VALUES (?, ?)').run('r1', 'x'))();
      db.transaction(() => db.prepare('INSERT INTO queue (record_id) VALUES (?)').run('r1'))();
    };
    const oneTransaction = (db: Database.Database) => {
      db.transaction(() => {
        db.prepare('INSERT INTO records VALUES (?, ?)').run('r1', 'x');
        db.prepare('INSERT INTO queue (record_id) VALUES (?)').run('r1');
      })();
    };

    const split = newStore();
    split.fence.killAtStatement(2);
    expectKilled(() => twoTransactions(split.db));
    expect(onDisk(split.path)).toEqual({ records: ['r1'], queue: [] });

    const atomic = newStore();
    atomic.fence.killAtStatement(2);
    expectKilled(() => oneTransaction(atomic.db));
    expect(onDisk(atomic.path)).toEqual({ records: [], queue: [] });
  });

  it('never commits, even when the dead code swallows the error and returns normally', () => {
    const { path, fence, db } = newStore();
    const insert = db.prepare('INSERT INTO records VALUES (?, ?)');
    const stubborn = db.transaction(() => {
      insert.run('a', 'x');
      try {
        insert.run('b', 'x');
      } catch {
        // the dead process carries on regardless
      }
      return 'done';
    });
    fence.killAtStatement(2);
    expectKilled(stubborn);
    expect(onDisk(path).records).toEqual([]);
  });

  it('rolls back a transaction left open across an await when killed from outside', async () => {
    const { path, raw, fence, db } = newStore();
    db.exec('BEGIN');
    db.prepare('INSERT INTO records VALUES (?, ?)').run('pending', 'x');
    await Promise.resolve(); // the app waits on something; the harness kills it meanwhile
    fence.kill();
    expect(raw.inTransaction).toBe(false);
    expectKilled(() => db.exec('COMMIT'));
    expect(onDisk(path).records).toEqual([]);
  });

  it('closes queries left open at death, so the harness can use the connection again', () => {
    const { path, raw, fence, db } = newStore();
    raw.exec("INSERT INTO records VALUES ('a', 'x'), ('b', 'y')");
    db.exec('BEGIN');
    db.prepare('INSERT INTO queue (record_id) VALUES (?)').run('a');
    const rows = db.prepare('SELECT id FROM records').iterate();
    rows.next();
    fence.kill();
    expectKilled(() => rows.next());
    expect(rows.return?.()).toEqual({ done: true, value: undefined });
    raw.prepare('INSERT INTO records VALUES (?, ?)').run('next-boot', 'z');
    expect(onDisk(path)).toEqual({ records: ['a', 'b', 'next-boot'], queue: [] });
  });
});

describe('a dead process', () => {
  it('finds every call through its handle inert, statements prepared before death included', () => {
    const { raw, fence, db } = newStore();
    const insert = db.prepare('INSERT INTO records VALUES (?, ?)');
    const select = db.prepare('SELECT id FROM records');
    const write = db.transaction(() => insert.run('t', 'x'));
    fence.kill();
    expect(fence.dead).toBe(true);
    const calls: Array<() => unknown> = [
      () => insert.run('a', 'x'),
      () => select.get(),
      () => select.all(),
      () => select.iterate(),
      () => select.pluck(),
      () => select.raw(),
      () => select.expand(),
      () => select.bind(),
      () => select.safeIntegers(),
      () => select.columns(),
      () => db.prepare('SELECT 1'),
      () => db.exec('DELETE FROM records'),
      () => db.pragma('user_version = 3'),
      () => db.transaction(() => {}),
      () => write(),
      () => write.immediate(),
      () => db.serialize(),
      () => db.function('f', () => 1),
      () => db.backup('/nonexistent/backup.sqlite'),
    ];
    for (const call of calls) expectKilled(call);
    expect(fence.statementsRun()).toBe(0);
    expect(raw.prepare('SELECT count(*) FROM records').pluck().get()).toBe(0);
    expect(raw.pragma('user_version', { simple: true })).toBe(0);
  });

  it('cannot touch a transaction the harness or the next boot has open on the same connection', () => {
    const { raw, fence, db } = newStore();
    const write = db.transaction(() => db.prepare('INSERT INTO records VALUES (?, ?)').run('dead', 'x'));
    fence.kill();
    const next = fenceDatabase(raw);
    next.handle.exec('BEGIN');
    next.handle.prepare('INSERT INTO records VALUES (?, ?)').run('alive', 'x');
    expectKilled(write);
    expectKilled(() => db.exec('ROLLBACK'));
    expect(raw.inTransaction).toBe(true);
    next.handle.exec('COMMIT');
    expect(raw.prepare('SELECT id FROM records').pluck().all()).toEqual(['alive']);
  });

  it('leaves alone a transaction the next boot opens from onKilled while the dead one is still unwinding', () => {
    const { raw, fence, db } = newStore();
    const next = fenceDatabase(raw);
    fence.onKilled(() => {
      next.handle.exec('BEGIN');
      next.handle.prepare('INSERT INTO records VALUES (?, ?)').run('alive', 'x');
    });
    const insert = db.prepare('INSERT INTO records VALUES (?, ?)');
    fence.killAtStatement(2);
    expectKilled(
      db.transaction(() => {
        insert.run('dead-outer', 'x');
        db.transaction(() => insert.run('dead-inner', 'x'))();
      }),
    );
    expect(raw.inTransaction).toBe(true);
    next.handle.exec('COMMIT');
    expect(raw.prepare('SELECT id FROM records').pluck().all()).toEqual(['alive']);
  });

  it('closes its handle without error and leaves the real connection to the harness', () => {
    const { raw, fence, db } = newStore();
    fence.kill();
    expect(() => db.close()).not.toThrow();
    expect(raw.open).toBe(true);
    expect(db.open).toBe(false);
    expect(db.inTransaction).toBe(false);
  });
});

describe('onKilled', () => {
  it('tells each listener once, synchronously, at the moment of death, after the rollback', () => {
    const { raw, fence, db } = newStore();
    const heard: string[] = [];
    fence.onKilled(() => heard.push(`first, in transaction: ${raw.inTransaction}`));
    fence.onKilled(() => heard.push('second'));
    fence.killAtStatement(2);
    const insert = db.prepare('INSERT INTO records VALUES (?, ?)');
    expectKilled(
      db.transaction(() => {
        insert.run('a', 'x');
        expect(heard).toEqual([]);
        try {
          insert.run('b', 'x');
        } finally {
          heard.push('statement threw');
        }
      }),
    );
    fence.kill();
    expect(heard).toEqual(['first, in transaction: false', 'second', 'statement threw']);
  });

  it('tells a listener added after death at once', () => {
    const { fence } = newStore();
    fence.kill();
    let heard = 0;
    fence.onKilled(() => heard++);
    expect(heard).toBe(1);
  });
});

describe('ProcessKilledError', () => {
  it('is an Error named ProcessKilledError', () => {
    const error = new ProcessKilledError();
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ProcessKilledError');
    expect(String(error)).toMatch(/^ProcessKilledError: .*killed/);
  });
});
