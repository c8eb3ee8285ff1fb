// Which app process the code running now belongs to, carried by AsyncLocalStorage across awaits, timers
// and socket events: with virtual globals the run binds every global timer to the process that set it (a
// dead process's timers never fire) and opens a global WebSocket over the link of the device that asked.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DeviceSocket } from '../adapter.ts';

/** One boot of one device's app, as code running inside it is seen from outside. */
export interface AppContext {
  readonly deviceId: string;
  /** Runs `handler` as the process can: never after its death, on resume while it is suspended. */
  hear(handler: () => void): void;
  /** Opens a socket to `path` on the server over the device's link; undefined when the run has no sockets. */
  openSocket(path: string): DeviceSocket | undefined;
}

export class ProcessContexts {
  private readonly storage = new AsyncLocalStorage<AppContext>();

  run<T>(context: AppContext, fn: () => T): T {
    return this.storage.run(context, fn);
  }

  /** Runs the harness's own work (a death's cleanup, say) outside whatever process the code calling it belongs to. */
  outside<T>(fn: () => T): T {
    return this.storage.exit(fn);
  }

  /** The process whose code is running now; undefined for the harness's own. */
  current(): AppContext | undefined {
    return this.storage.getStore();
  }

  /** A callback set now, bound to the process running now: it runs as that process can (see `hear`), or as given outside any. */
  own<A extends unknown[]>(callback: (...args: A) => void): (...args: A) => void {
    const owner = this.current();
    if (!owner) return callback;
    return (...args) => owner.hear(() => callback(...args));
  }
}
