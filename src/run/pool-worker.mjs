// A pool worker thread's entry (plain JavaScript, so it loads before TypeScript can): registers
// tsx in this thread, loads the task module named in workerData, calls its init once, then runs
// each task posted to it and posts back { ok, value } or { ok: false, error }. See pool.ts.
import { register } from 'tsx/esm/api';
import { parentPort, workerData } from 'node:worker_threads';

register();
const module = await import(workerData.module);
await module.init(workerData.data);
parentPort.on('message', async (task) => {
  try {
    parentPort.postMessage({ ok: true, value: await module.runTask(task) });
  } catch (error) {
    const { name = 'Error', message = String(error), stack } = error instanceof Error ? error : {};
    parentPort.postMessage({ ok: false, error: { name, message, stack } });
  }
});
