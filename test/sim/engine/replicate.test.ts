import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ReplicationPool,
  type ReplicatedResult,
  replicate,
  replicateUntilPrecision,
  replicationQuantiles,
} from '../../../sim/engine/replicate.ts';
import { meanInterval } from '../../../sim/engine/stats/confidence.ts';

const QUEUE = fileURLToPath(new URL('../../../sim/engine/models/queue-model.ts', import.meta.url));
const params = {
  interarrival: { type: 'exponential', mean: 1250 },
  service: { type: 'exponential', mean: 1000 },
  customers: 5000,
  warmup: 500,
};

/** Everything a caller can read from a merged result, as one string. */
function fingerprint(r: ReplicatedResult): string {
  const hists = Object.entries(r.histograms).map(([name, h]) => [
    name,
    h.encode(),
    [0.5, 0.9, 0.99, 0.999, 1].map((q) => h.quantile(q)),
    h.mean,
  ]);
  return JSON.stringify({ counters: r.counters, hists, outputs: r.outputs });
}

describe('replicate', () => {
  it('gives bit-identical merged results with 0 (in-process), 1, 2 and 4 workers', async () => {
    const prints: string[] = [];
    for (const workers of [0, 1, 2, 4]) {
      const r = await replicate({
        module: QUEUE,
        exportName: 'queueModel',
        params,
        seed: 42,
        replications: 6,
        workers,
      });
      expect(r.replications).toBe(6);
      expect(r.counters.customers).toBe(6 * 5000);
      prints.push(fingerprint(r));
      for (const h of Object.values(r.histograms)) h.destroy();
    }
    expect(new Set(prints).size).toBe(1);
  });

  it('reuses an open pool across calls with the same results, one run at a time', async () => {
    const pool = new ReplicationPool(2);
    try {
      const a = await replicate({
        module: QUEUE,
        exportName: 'queueModel',
        params,
        seed: 5,
        replications: 3,
        pool,
      });
      const b = await replicate({
        module: QUEUE,
        exportName: 'queueModel',
        params,
        seed: 5,
        replications: 3,
        pool,
      });
      const c = await replicate({
        module: QUEUE,
        exportName: 'queueModel',
        params,
        seed: 5,
        replications: 3,
        workers: 0,
      });
      expect(fingerprint(a)).toBe(fingerprint(c));
      expect(fingerprint(b)).toBe(fingerprint(c));
      const first = replicate({
        module: QUEUE,
        exportName: 'queueModel',
        params,
        seed: 5,
        replications: 2,
        pool,
      });
      await expect(
        replicate({ module: QUEUE, exportName: 'queueModel', params, seed: 5, replications: 2, pool }),
      ).rejects.toThrow(/one run at a time/);
      await first;
    } finally {
      await pool.close();
    }
  });

  it('fails (does not hang) when a worker thread exits, and the pool refuses further runs', async () => {
    const pool = new ReplicationPool(1);
    try {
      const exiting = fileURLToPath(new URL('./fixture-exit-model.ts', import.meta.url));
      await expect(
        replicate({ module: exiting, exportName: 'exits', params: null, seed: 1, replications: 1, pool }),
      ).rejects.toThrow(/exited unexpectedly with code 7/);
      await expect(
        replicate({ module: QUEUE, exportName: 'queueModel', params, seed: 1, replications: 1, pool }),
      ).rejects.toThrow(/unusable/);
    } finally {
      await pool.close();
    }
  });

  it('ignores late answers from an earlier failed run on a reused pool', async () => {
    const pool = new ReplicationPool(2);
    try {
      // Replication tasks with a bad parameter fail fast; the other worker may still be busy.
      await expect(
        replicate({
          module: QUEUE,
          exportName: 'queueModel',
          params: { ...params, customers: -1 },
          seed: 1,
          replications: 4,
          pool,
        }),
      ).rejects.toThrow(/customers/);
      const a = await replicate({
        module: QUEUE,
        exportName: 'queueModel',
        params,
        seed: 9,
        replications: 3,
        pool,
      });
      const b = await replicate({
        module: QUEUE,
        exportName: 'queueModel',
        params,
        seed: 9,
        replications: 3,
        workers: 0,
      });
      expect(fingerprint(a)).toBe(fingerprint(b));
    } finally {
      await pool.close();
    }
  });

  it('replications differ from each other and a different seed changes the result', async () => {
    const a = await replicate({
      module: QUEUE,
      exportName: 'queueModel',
      params,
      seed: 1,
      replications: 3,
      workers: 0,
    });
    const b = await replicate({
      module: QUEUE,
      exportName: 'queueModel',
      params,
      seed: 2,
      replications: 3,
      workers: 0,
    });
    const qa = replicationQuantiles(a, 'response', 0.99);
    expect(new Set(qa).size).toBe(3);
    expect(fingerprint(a)).not.toBe(fingerprint(b));
  });

  it('merges histograms exactly: merged count and sum equal the sums over replications', async () => {
    const r = await replicate({
      module: QUEUE,
      exportName: 'queueModel',
      params,
      seed: 3,
      replications: 4,
      workers: 0,
    });
    const h = r.histograms.response!;
    expect(h.count).toBe(r.outputs.reduce((s, o) => s + o.histograms.response!.count, 0));
    expect(h.sum_ns).toBe(r.outputs.reduce((s, o) => s + o.histograms.response!.sum_ns, 0));
  });

  it('reports a model error from a worker with its message', async () => {
    await expect(
      replicate({
        module: QUEUE,
        exportName: 'queueModel',
        params: { ...params, customers: -1 },
        seed: 1,
        replications: 2,
        workers: 1,
      }),
    ).rejects.toThrow(/customers must be/);
    await expect(
      replicate({ module: QUEUE, exportName: 'nope', params, seed: 1, replications: 1, workers: 0 }),
    ).rejects.toThrow(/no exported function nope/);
    await expect(
      replicate({
        module: 'relative/path.ts',
        exportName: 'x',
        params,
        seed: 1,
        replications: 1,
        workers: 0,
      }),
    ).rejects.toThrow(/absolute path/);
    await expect(
      replicate({ module: QUEUE, exportName: 'queueModel', params, seed: 1, replications: 0 }),
    ).rejects.toThrow(/replications must be/);
  });

  it('precision mode stops when the p99 half-width meets the target, and otherwise at the cap', async () => {
    const loose = await replicateUntilPrecision({
      module: QUEUE,
      exportName: 'queueModel',
      params,
      seed: 7,
      workers: 0,
      step: 4,
      maxReplications: 40,
      target: { histogram: 'response', q: 0.99, relHalfWidth: 0.1 },
    });
    expect(loose.converged).toBe(true);
    expect(loose.interval.halfWidth / loose.interval.mean).toBeLessThanOrEqual(0.1);
    expect(loose.replications % 4).toBe(0);
    expect(loose.replications).toBeLessThan(40);
    // The stop happened at the first step boundary that met the target.
    if (loose.replications > 4) {
      const shorter = await replicate({
        module: QUEUE,
        exportName: 'queueModel',
        params,
        seed: 7,
        replications: loose.replications - 4,
        workers: 0,
      });
      const qs = replicationQuantiles(shorter, 'response', 0.99);
      const mean = qs.reduce((a, b) => a + b, 0) / qs.length;
      expect(meanInterval(qs).halfWidth / mean).toBeGreaterThan(0.1);
    }
    const seen: [number, number][] = [];
    const capped = await replicateUntilPrecision({
      module: QUEUE,
      exportName: 'queueModel',
      params,
      seed: 7,
      workers: 2,
      step: 4,
      maxReplications: 8,
      target: { histogram: 'response', q: 0.999, relHalfWidth: 0.001 },
      onProgress: (done, total) => seen.push([done, total]),
    });
    expect(capped.converged).toBe(false);
    expect(capped.replications).toBe(8);
    // Progress counts every replication so far out of the cap (it restarted at 1 each step).
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((d) => [d, 8]));
  });
});
