// A pool worker thread's entry (plain JavaScript, so it loads before any TypeScript can): loads the
// task module named in workerData (registering tsx first only when that module is TypeScript, as
// when tests run the sources), calls its init once, then runs each task posted to it and posts
// back { ok, value } or { ok: false, error }. See pool.ts.
import { parentPort, workerData } from 'node:worker_threads';

if (workerData.module.endsWith('.ts')) (await import('tsx/esm/api')).register();
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
