// Virtual time and the event queue of a simulated run. Events run in (time, sequence) order;
// after each one the microtask queue is drained (one macrotask turn), so async code reaches its
// next simulated I/O before time moves. No real clock or timer ever decides what happens.

type Task = () => void;

/** The real setImmediate, taken before virtual globals (sim/virtual-globals.ts) can replace the global one. */
const realSetImmediate = globalThis.setImmediate;

interface ScheduledEvent {
  timeMs: number;
  seq: number;
  task: Task;
  cancelled: boolean;
}

/** Cancels a scheduled event; calling it after the event ran does nothing. */
export type Cancel = () => void;

export class Scheduler {
  private nowMsValue = 0;
  private seq = 0;
  private readonly heap: ScheduledEvent[] = [];
  private eventsRunValue = 0;
  /** Told each time simulated time moves on, before anything runs at the new time (virtual globals follow it). */
  onAdvance: ((nowMs: number) => void) | undefined;

  /** Called with whatever an event's task throws; the run decides what a throw means. */
  constructor(private readonly onTaskError: (error: unknown) => void) {}

  get nowMs(): number {
    return this.nowMsValue;
  }

  get eventsRun(): number {
    return this.eventsRunValue;
  }

  at(timeMs: number, task: Task): Cancel {
    const event: ScheduledEvent = { timeMs: Math.max(timeMs, this.nowMsValue), seq: this.seq++, task, cancelled: false };
    this.push(event);
    return () => {
      event.cancelled = true;
    };
  }

  after(delayMs: number, task: Task): Cancel {
    return this.at(this.nowMsValue + Math.max(0, Math.round(delayMs)), task);
  }

  /** Runs events up to and including `endMs` (or until `stop()` says so), then sets the time to `endMs`. */
  async runUntil(endMs: number, stop: () => boolean = () => false): Promise<void> {
    await drainMicrotasks();
    while (!stop()) {
      const head = this.heap[0];
      if (head === undefined || head.timeMs > endMs) break;
      this.pop();
      if (head.cancelled) continue;
      this.advance(head.timeMs);
      this.eventsRunValue++;
      try {
        head.task();
      } catch (error) {
        this.onTaskError(error);
      }
      await drainMicrotasks();
    }
    if (!stop()) this.advance(Math.max(this.nowMsValue, endMs));
  }

  private advance(timeMs: number): void {
    if (timeMs === this.nowMsValue) return;
    this.nowMsValue = timeMs;
    try {
      this.onAdvance?.(timeMs);
    } catch (error) {
      this.onTaskError(error);
    }
  }

  private push(event: ScheduledEvent): void {
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as ScheduledEvent, heap[parent] as ScheduledEvent)) break;
      [heap[i], heap[parent]] = [heap[parent] as ScheduledEvent, heap[i] as ScheduledEvent];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop() as ScheduledEvent;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left] as ScheduledEvent, heap[smallest] as ScheduledEvent)) smallest = left;
      if (right < heap.length && before(heap[right] as ScheduledEvent, heap[smallest] as ScheduledEvent)) smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest] as ScheduledEvent, heap[i] as ScheduledEvent];
      i = smallest;
    }
  }
}

function before(a: ScheduledEvent, b: ScheduledEvent): boolean {
  return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.seq < b.seq);
}

/** One macrotask turn: every queued microtask, and those they queue, runs before it ends. */
function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}
