/**
 * Gamma(shape k, scale theta): mean k*theta, variance k*theta^2. Marsaglia & Tsang (2000) squeeze
 * method for k >= 1; for k < 1 the boost Gamma(k) = Gamma(k+1) * U^(1/k).
 */
import type { Source } from '../rng.ts';
import { requirePositive } from './check.ts';
import { normal } from './normal.ts';

export function gamma(source: Source, shape: number, scale: number): () => number {
  requirePositive('shape', shape);
  requirePositive('scale', scale);
  const boost = shape < 1;
  const k = boost ? shape + 1 : shape;
  const d = k - 1 / 3;
  const c = 1 / (3 * Math.sqrt(d));
  const n = normal(source, 0, 1);
  const invShape = 1 / shape;
  return () => {
    let v: number;
    let x: number;
    for (;;) {
      do {
        x = n();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - source();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2) break;
      if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) break;
    }
    const g = d * v * scale;
    return boost ? g * (1 - source()) ** invShape : g;
  };
}
