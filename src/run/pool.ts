// Runs a list of tasks on a pool of runners (worker threads, or the calling thread) and hands the
// results back in task order, whatever order they finish in, so output never depends on the pool
// size. Tasks are handed out in order, so whatever ran when scheduling stops is a prefix. No clock.
import { Worker } from 'node:worker_threads';

/** Something that runs one task at a time: a worker thread, or the calling thread itself. */
export interface Runner<T, R> {
  run(task: T): Promise<R>;
  close(): Promise<void>;
}

/** A task's module: what both kinds of runner call. `init` runs once per runner, before any task. */
export interface TaskModule<I, T, R> {
  init(data: I): Promise<void> | void;
  runTask(task: T): Promise<R>;
}

export interface OrderedRunOptions<T, R> {
  tasks: readonly T[];
  runners: readonly Runner<T, R>[];
  /** Asked before each task is handed out; false stops scheduling (tasks already running still finish). */
  schedule?: () => boolean;
  /** Every result as soon as it completes, in any order (for a progress line). */
  onSettled?: (result: R, index: number) => void;
  /** Each result in task order; returning false stops the run: nothing later is scheduled or delivered. */
  onResult: (result: R, index: number) => boolean | void;
}

/** How many tasks were delivered; rejects with the first task error in task order, or a runner's crash. */
export function runOrdered<T, R>(options: OrderedRunOptions<T, R>): Promise<number> {
  const { tasks, runners } = options;
  const done = new Map<number, { ok: true; value: R } | { ok: false; error: unknown }>();
  let next = 0;
  let running = 0;
  let delivered = 0;
  /** No more tasks are handed out (the schedule said no, a task failed, or the run stopped). */
  let closed = false;
  /** No more results are delivered either. */
  let stopped = false;
  let failure: { error: unknown } | undefined;

  return new Promise<number>((resolve, reject) => {
    const flush = () => {
      while (!stopped && done.has(delivered)) {
        const outcome = done.get(delivered)!;
        done.delete(delivered);
        if (!outcome.ok) {
          failure ??= { error: outcome.error };
          stopped = closed = true;
          break;
        }
        const keepGoing = options.onResult(outcome.value, delivered);
        delivered++;
        if (keepGoing === false) stopped = closed = true;
      }
    };
    const feed = (runner: Runner<T, R>) => {
      if (!closed && next < tasks.length && options.schedule && !options.schedule()) closed = true;
      if (closed || next >= tasks.length) {
        if (running === 0) {
          if (failure) reject(failure.error);
          else resolve(delivered);
        }
        return;
      }
      const index = next++;
      running++;
      /** Handles a finished task; a throw from the caller's callbacks ends the run with that error. */
      const settle = (handle: () => void) => {
        running--;
        try {
          handle();
        } catch (error) {
          failure ??= { error };
          stopped = closed = true;
        }
        feed(runner);
      };
      runner.run(tasks[index]!).then(
        (value) =>
          settle(() => {
            done.set(index, { ok: true, value });
            if (!stopped) options.onSettled?.(value, index);
            flush();
          }),
        (error: unknown) =>
          settle(() => {
            closed = true;
            if (error instanceof RunnerCrash) {
              failure = { error };
              stopped = true;
            } else {
              done.set(index, { ok: false, error });
              flush();
            }
          }),
      );
    };
    if (tasks.length === 0) resolve(0);
    else for (const runner of runners) feed(runner);
  });
}

/** Runs tasks on the calling thread, one after another: `--workers 1`. */
export function inProcessRunner<I, T, R>(module: TaskModule<I, T, R>, data: I): Runner<T, R> {
  let ready: Promise<void> | undefined;
  return {
    async run(task) {
      ready ??= Promise.resolve(module.init(data));
      await ready;
      return module.runTask(task);
    },
    async close() {},
  };
}

/** A runner whose thread died (not a task that failed): the whole run stops. Its stack is the cause's. */
export class RunnerCrash extends Error {
  override name = 'RunnerCrash';

  constructor(cause: unknown) {
    const inner = cause instanceof Error ? cause : new Error(String(cause));
    super(`a worker thread crashed: ${inner.message}`, { cause });
    this.stack = `${this.name}: ${this.message}\n${(inner.stack ?? '').split('\n').slice(1).join('\n')}`;
  }
}

/** The message a worker thread posts back for one task. */
export type WorkerReply<R> = { ok: true; value: R } | { ok: false; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

/**
 * Runs tasks in a worker thread that loads `moduleUrl` (a TaskModule: compiled JavaScript, or
 * TypeScript, for which the entry registers tsx) and calls its `init(data)` once.
 */
export function workerRunner<I, T, R>(moduleUrl: URL, data: I, revive: (error: SerializedError) => Error): Runner<T, R> {
  const worker = new Worker(new URL('./pool-worker.mjs', import.meta.url), { workerData: { module: moduleUrl.href, data } });
  let pending: { resolve: (value: R) => void; reject: (error: unknown) => void } | undefined;
  let dead: unknown;
  const die = (error: unknown) => {
    dead ??= error;
    pending?.reject(new RunnerCrash(dead));
    pending = undefined;
  };
  worker.on('message', (reply: WorkerReply<R>) => {
    const waiting = pending;
    pending = undefined;
    if (reply.ok) waiting?.resolve(reply.value);
    else waiting?.reject(revive(reply.error));
  });
  worker.on('error', die);
  worker.on('exit', (code) => die(new Error(`a worker thread exited with code ${code}`)));
  return {
    run(task) {
      if (dead !== undefined) return Promise.reject(new RunnerCrash(dead));
      return new Promise<R>((resolve, reject) => {
        pending = { resolve, reject };
        worker.postMessage(task);
      });
    },
    async close() {
      dead ??= new Error('closed');
      await worker.terminate();
    },
  };
}
