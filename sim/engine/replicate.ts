/**
 * Independent replications of any registered model, in parallel on worker_threads.
 *
 * A model is named by module (absolute path or file URL) and export name; the export is
 * `(params, seed, replication) => ReplicationOutput`. Replication r draws from streams keyed on
 * (seed, r, component), so its output depends only on (params, seed, r).
 *
 * Determinism: outputs are stored by replication index and merged in index order (histograms add
 * counts exactly; counters are summed in index order), so the merged result is bit-identical
 * whatever the number of workers or the order in which they finish. `workers: 0` runs in this
 * thread (no worker start-up cost; same results). Default workers: the number of cores, at most R.
 *
 * Precision mode (`replicateUntilPrecision`): replications are added in fixed steps; after each step
 * the confidence interval of a chosen percentile across replications is computed, and the run stops
 * when its half-width is within `relHalfWidth` of the estimate, or when `maxReplications` is
 * reached. Step boundaries do not depend on the worker count, so neither does the result.
 */
import { availableParallelism } from 'node:os';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Histogram } from './histogram.ts';
import type { ReplicationOutput } from './replication.ts';
import { type Interval, meanInterval, relativeHalfWidth } from './stats/confidence.ts';
import { loadModel } from './load-model.ts';
import type { WorkerTask } from './worker.ts';

export interface ReplicateOptions {
  /** Absolute path or file URL of the module exporting the model. */
  module: string;
  exportName: string;
  /** JSON-safe parameters passed to every replication. */
  params: unknown;
  seed: number;
  replications: number;
  /** Worker threads; 0 runs in this thread. Default: number of cores, at most `replications`. */
  workers?: number;
  /** Index of the first replication (precision mode continues from where it stopped). */
  firstReplication?: number;
  /** Run on this open pool (its size wins over `workers`; the pool stays open). */
  pool?: ReplicationPool;
  /** Called after each replication finishes, with the count done so far (progress display). */
  onProgress?: (done: number, total: number) => void;
}

export interface ReplicatedResult {
  seed: number;
  replications: number;
  /** Per-replication outputs in replication order. */
  outputs: ReplicationOutput[];
  /** Histograms merged over replications (caller may `destroy()` them). */
  histograms: Record<string, Histogram>;
  /** Counters summed over replications in replication order. */
  counters: Record<string, number>;
}

function moduleUrl(module: string): string {
  if (module.startsWith('file:')) return module;
  if (!isAbsolute(module))
    throw new RangeError(`module must be an absolute path or file URL (got ${module})`);
  return pathToFileURL(module).href;
}

function checkOptions(o: ReplicateOptions): void {
  if (!Number.isInteger(o.replications) || o.replications < 1)
    throw new RangeError(`replications must be a whole number >= 1 (got ${o.replications})`);
  if (o.workers !== undefined && (!Number.isInteger(o.workers) || o.workers < 0))
    throw new RangeError(`workers must be a whole number >= 0 (got ${o.workers})`);
  if (!Number.isFinite(o.seed)) throw new RangeError(`seed must be a finite number (got ${o.seed})`);
}

export function defaultWorkers(): number {
  return availableParallelism();
}

/**
 * A pool of replication worker threads, reusable across calls: starting a worker costs a few hundred
 * ms (the TypeScript loader), so a sweep over many points should open one pool, pass it as
 * `pool` to each `replicate` call, and `close()` it at the end. One run at a time per pool.
 */
export class ReplicationPool {
  private readonly workers: Worker[] = [];
  private nextId = 0;
  private busy = false;
  /** Set when a worker died: the pool cannot be used any more. */
  private broken: string | null = null;
  readonly size: number;

  constructor(size: number = defaultWorkers()) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`pool size must be a whole number >= 1 (got ${size})`);
    this.size = size;
    const shim = new URL('./worker-shim.mjs', import.meta.url);
    for (let i = 0; i < size; i++)
      this.workers.push(
        new Worker(shim, { execArgv: [], workerData: { role: 'cnisim-replication-worker' } }),
      );
  }

  /** Runs the tasks (one per replication), returns outputs in task order. */
  async run(tasks: Omit<WorkerTask, 'id'>[], onDone?: (done: number) => void): Promise<ReplicationOutput[]> {
    if (this.broken) throw new Error(`ReplicationPool: unusable since a worker failed (${this.broken})`);
    if (this.busy) throw new Error('ReplicationPool: one run at a time (await the previous call first)');
    this.busy = true;
    try {
      return await this.runTasks(tasks, onDone);
    } finally {
      this.busy = false;
    }
  }

  /**
   * Feeds tasks to idle workers. Each message carries an id and a worker answers its messages in
   * order, so a late answer to a task of an earlier, failed run is recognised by its id and ignored.
   */
  private runTasks(
    tasks: Omit<WorkerTask, 'id'>[],
    onDone?: (done: number) => void,
  ): Promise<ReplicationOutput[]> {
    const results: ReplicationOutput[] = new Array(tasks.length);
    let next = 0;
    let done = 0;
    return new Promise((resolve, reject) => {
      let settled = false;
      const cleanups: Array<() => void> = [];
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        for (const c of cleanups) c();
        if (err) reject(err);
        else resolve(results);
      };
      /** Per worker: the id and task index it is working on for this run. */
      const current = new Map<Worker, { id: number; index: number }>();
      const feed = (w: Worker) => {
        if (next >= tasks.length) return;
        const index = next++;
        const id = this.nextId++;
        current.set(w, { id, index });
        w.postMessage({ ...tasks[index]!, id });
      };
      for (const w of this.workers) {
        const onMessage = (msg: {
          id: number;
          output?: ReplicationOutput;
          error?: { message: string; stack?: string };
        }) => {
          const cur = current.get(w);
          if (settled || !cur || msg.id !== cur.id) return;
          current.delete(w);
          if (msg.error) {
            const e = new Error(msg.error.message);
            if (msg.error.stack) e.stack = msg.error.stack;
            finish(e);
            return;
          }
          results[cur.index] = msg.output!;
          done++;
          onDone?.(done);
          if (done === tasks.length) finish();
          else feed(w);
        };
        const onError = (err: Error) => {
          this.broken = err.message;
          finish(err);
        };
        const onExit = (code: number) => {
          this.broken = `worker exited with code ${code}`;
          finish(new Error(`replication worker exited unexpectedly with code ${code}`));
        };
        w.on('message', onMessage);
        w.on('error', onError);
        w.on('exit', onExit);
        cleanups.push(() => {
          w.off('message', onMessage);
          w.off('error', onError);
          w.off('exit', onExit);
        });
      }
      for (const w of this.workers) feed(w);
      if (tasks.length === 0) finish();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

async function runOutputs(
  o: ReplicateOptions,
  pool: ReplicationPool | null,
  first: number,
  count: number,
): Promise<ReplicationOutput[]> {
  const url = moduleUrl(o.module);
  if (!pool) {
    const fn = await loadModel(url, o.exportName);
    const outs: ReplicationOutput[] = [];
    for (let r = first; r < first + count; r++) {
      // Structured clone as the worker path does, so both paths hand the merge identical data.
      outs.push(structuredClone(await fn(o.params, o.seed, r)));
      o.onProgress?.(r - first + 1, count);
    }
    return outs;
  }
  const tasks = Array.from({ length: count }, (_, i) => ({
    module: url,
    exportName: o.exportName,
    params: o.params,
    seed: o.seed,
    replication: first + i,
  }));
  return pool.run(tasks, (d) => o.onProgress?.(d, count));
}

/** Merges outputs in the given (replication) order. */
export function mergeOutputs(seed: number, outputs: ReplicationOutput[]): ReplicatedResult {
  const histograms: Record<string, Histogram> = {};
  const counters: Record<string, number> = {};
  for (const out of outputs) {
    for (const [name, enc] of Object.entries(out.histograms)) {
      const h = Histogram.decode(enc);
      const acc = histograms[name];
      if (acc) {
        acc.add(h);
        h.destroy();
      } else histograms[name] = h;
    }
    for (const [name, v] of Object.entries(out.counters)) counters[name] = (counters[name] ?? 0) + v;
  }
  return { seed, replications: outputs.length, outputs, histograms, counters };
}

export async function replicate(o: ReplicateOptions): Promise<ReplicatedResult> {
  checkOptions(o);
  const workers = Math.min(o.workers ?? defaultWorkers(), o.replications);
  const own = !o.pool && workers > 0 ? new ReplicationPool(workers) : null;
  try {
    const outputs = await runOutputs(o, o.pool ?? own, o.firstReplication ?? 0, o.replications);
    return mergeOutputs(o.seed, outputs);
  } finally {
    await own?.close();
  }
}

/** Per-replication values of quantile q of histogram `name`, in replication order. */
export function replicationQuantiles(result: ReplicatedResult, name: string, q: number): number[] {
  return result.outputs.map((out, r) => {
    const enc = out.histograms[name];
    if (!enc) throw new RangeError(`replication ${r} has no histogram ${JSON.stringify(name)}`);
    const h = Histogram.decode(enc);
    const v = h.quantile(q);
    h.destroy();
    return v;
  });
}

/** Per-replication means of histogram `name`. */
export function replicationMeans(result: ReplicatedResult, name: string): number[] {
  return result.outputs.map((out, r) => {
    const enc = out.histograms[name];
    if (!enc) throw new RangeError(`replication ${r} has no histogram ${JSON.stringify(name)}`);
    return enc.sum_ns / enc.count;
  });
}

/** CI across replications of quantile q of histogram `name`. */
export function quantileInterval(result: ReplicatedResult, name: string, q: number, level = 0.95): Interval {
  return meanInterval(replicationQuantiles(result, name, q), level);
}

/** CI across replications of the mean of histogram `name`. */
export function meanIntervalOf(result: ReplicatedResult, name: string, level = 0.95): Interval {
  return meanInterval(replicationMeans(result, name), level);
}

/** CI across replications of any per-replication statistic computed from the counters. */
export function counterInterval(
  result: ReplicatedResult,
  stat: (counters: Record<string, number>) => number,
  level = 0.95,
): Interval {
  return meanInterval(
    result.outputs.map((o) => stat(o.counters)),
    level,
  );
}

export interface PrecisionTarget {
  histogram: string;
  /** Quantile whose CI half-width is controlled, e.g. 0.99. */
  q: number;
  /** Stop when halfWidth / estimate <= this, e.g. 0.02. */
  relHalfWidth: number;
  level?: number;
}

export interface PrecisionOptions extends Omit<ReplicateOptions, 'replications' | 'firstReplication'> {
  target: PrecisionTarget;
  /** Replications added per step (also the minimum); default 4. Fixed, so results do not depend on workers. */
  step?: number;
  /** Cap on work. */
  maxReplications: number;
}

export interface PrecisionResult extends ReplicatedResult {
  interval: Interval;
  /** True when the target was met, false when the cap stopped the run. */
  converged: boolean;
}

export async function replicateUntilPrecision(o: PrecisionOptions): Promise<PrecisionResult> {
  const step = o.step ?? 4;
  if (!Number.isInteger(step) || step < 2)
    throw new RangeError(`step must be a whole number >= 2 (got ${step})`);
  if (!Number.isInteger(o.maxReplications) || o.maxReplications < step)
    throw new RangeError(`maxReplications must be a whole number >= step=${step} (got ${o.maxReplications})`);
  if (!(o.target.relHalfWidth > 0))
    throw new RangeError(`relHalfWidth must be > 0 (got ${o.target.relHalfWidth})`);
  checkOptions({ ...o, replications: step });
  const workers = Math.min(o.workers ?? defaultWorkers(), step);
  const own = !o.pool && workers > 0 ? new ReplicationPool(workers) : null;
  const pool = o.pool ?? own;
  const outputs: ReplicationOutput[] = [];
  try {
    for (;;) {
      const n = Math.min(step, o.maxReplications - outputs.length);
      // Progress counts every replication so far, out of the cap (the run may stop sooner).
      const before = outputs.length;
      const onProgress = o.onProgress && ((d: number) => o.onProgress!(before + d, o.maxReplications));
      outputs.push(
        ...(await runOutputs(
          { ...o, replications: n, ...(onProgress ? { onProgress } : {}) },
          pool,
          before,
          n,
        )),
      );
      const result = mergeOutputs(o.seed, outputs);
      const interval = quantileInterval(result, o.target.histogram, o.target.q, o.target.level ?? 0.95);
      const converged = relativeHalfWidth(interval) <= o.target.relHalfWidth;
      if (converged || outputs.length >= o.maxReplications) return { ...result, interval, converged };
      for (const h of Object.values(result.histograms)) h.destroy();
    }
  } finally {
    await own?.close();
  }
}
