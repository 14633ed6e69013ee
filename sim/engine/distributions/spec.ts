/**
 * Distributions described as plain data (JSON-safe, so they cross worker boundaries and config
 * files), and the sampler each describes. Means are in the caller's unit (ns in the engine).
 */
import type { Source } from '../rng.ts';
import { deterministic } from './deterministic.ts';
import { empirical } from './empirical.ts';
import { erlang } from './erlang.ts';
import { exponential } from './exponential.ts';
import { gamma } from './gamma.ts';
import { lognormalFromMeanCv } from './lognormal.ts';
import { uniform } from './uniform.ts';

export type DistSpec =
  | { type: 'exponential'; mean: number }
  | { type: 'deterministic'; value: number }
  | { type: 'uniform'; lo: number; hi: number }
  | { type: 'erlang'; k: number; mean: number }
  | { type: 'gamma'; shape: number; scale: number }
  | { type: 'lognormal'; mean: number; cv: number }
  | { type: 'empirical'; values: number[]; weights?: number[] };

export function sampler(source: Source, spec: DistSpec): () => number {
  switch (spec.type) {
    case 'exponential':
      if (!(spec.mean > 0)) throw new RangeError(`mean must be > 0 (got ${spec.mean})`);
      return exponential(source, 1 / spec.mean);
    case 'deterministic':
      return deterministic(spec.value);
    case 'uniform':
      return uniform(source, spec.lo, spec.hi);
    case 'erlang':
      if (!(spec.mean > 0)) throw new RangeError(`mean must be > 0 (got ${spec.mean})`);
      return erlang(source, spec.k, spec.k / spec.mean);
    case 'gamma':
      return gamma(source, spec.shape, spec.scale);
    case 'lognormal':
      return lognormalFromMeanCv(source, spec.mean, spec.cv);
    case 'empirical':
      return empirical(source, spec.values, spec.weights);
    default:
      throw new RangeError(`unknown distribution type ${JSON.stringify((spec as { type: unknown }).type)}`);
  }
}

/** Mean and second moment E[X^2] of a spec (for Pollaczek-Khinchine and friends). */
export function moments(spec: DistSpec): { mean: number; second: number } {
  switch (spec.type) {
    case 'exponential':
      return { mean: spec.mean, second: 2 * spec.mean ** 2 };
    case 'deterministic':
      return { mean: spec.value, second: spec.value ** 2 };
    case 'uniform':
      return { mean: (spec.lo + spec.hi) / 2, second: (spec.lo ** 2 + spec.lo * spec.hi + spec.hi ** 2) / 3 };
    case 'erlang':
      return { mean: spec.mean, second: spec.mean ** 2 * (1 + 1 / spec.k) };
    case 'gamma':
      return { mean: spec.shape * spec.scale, second: spec.shape * (spec.shape + 1) * spec.scale ** 2 };
    case 'lognormal':
      return { mean: spec.mean, second: spec.mean ** 2 * (1 + spec.cv ** 2) };
    case 'empirical': {
      const w = spec.weights ?? spec.values.map(() => 1);
      const tot = w.reduce((a, b) => a + b, 0);
      let m = 0;
      let m2 = 0;
      spec.values.forEach((v, i) => {
        m += (w[i]! * v) / tot;
        m2 += (w[i]! * v * v) / tot;
      });
      return { mean: m, second: m2 };
    }
    default:
      throw new RangeError(`unknown distribution type ${JSON.stringify((spec as { type: unknown }).type)}`);
  }
}
