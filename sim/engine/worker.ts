/**
 * Replication worker (loaded by worker-shim.mjs only): receives {id, module, exportName, params,
 * seed, replication}, runs the named model export and posts back {id, output} or {id, error}.
 * It answers only in threads started by the replication runner (workerData marks them), so importing
 * this module elsewhere does nothing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadModel } from './load-model.ts';

export interface WorkerTask {
  id: number;
  module: string;
  exportName: string;
  params: unknown;
  seed: number;
  replication: number;
}

export const WORKER_MARK = 'cnisim-replication-worker';

if (parentPort && (workerData as { role?: string } | undefined)?.role === WORKER_MARK) {
  const port = parentPort;
  port.on('message', async (task: WorkerTask) => {
    try {
      const fn = await loadModel(task.module, task.exportName);
      const output = await fn(task.params, task.seed, task.replication);
      port.postMessage({ id: task.id, output });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({ id: task.id, error: { name: e.name, message: e.message, stack: e.stack } });
    }
  });
}
