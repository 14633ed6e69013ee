/**
 * `normal` keeps its spare variate in an object field (see normal.ts) instead of a captured
 * variable: the values must be those of the plain closure form (Marsaglia polar, as before), bit for
 * bit, including through `lognormalFromMeanCv`, which the network simulator uses.
 */
import { describe, expect, it } from 'vitest';
import { lognormalFromMeanCv, normal } from '../../../sim/engine/distributions/index.ts';
import { createStream, type Source } from '../../../sim/engine/rng.ts';

/** The closure form of the polar method, as `normal` was written before. */
function referenceNormal(source: Source, mu: number, sigma: number): () => number {
  let spare = 0;
  let hasSpare = false;
  return () => {
    if (hasSpare) {
      hasSpare = false;
      return mu + sigma * spare;
    }
    let x: number;
    let y: number;
    let r: number;
    do {
      x = 2 * source() - 1;
      y = 2 * source() - 1;
      r = x * x + y * y;
    } while (r === 0 || r >= 1);
    const f = Math.sqrt((-2 * Math.log(r)) / r);
    spare = y * f;
    hasSpare = true;
    return mu + sigma * x * f;
  };
}

describe('normal values', () => {
  it('equal the closure form of the polar method, 2x10^5 draws', () => {
    const a = normal(createStream(9, 2, 'n'), -1, 3);
    const b = referenceNormal(createStream(9, 2, 'n'), -1, 3);
    let diff = 0;
    for (let i = 0; i < 200_000; i++) if (!Object.is(a(), b())) diff++;
    expect(diff).toBe(0);
  });

  it('lognormalFromMeanCv equals exp of the reference normal', () => {
    const mean = 30_000;
    const cv = 0.5;
    const s2 = Math.log1p(cv * cv);
    const a = lognormalFromMeanCv(createStream(4, 0, 'wire.jitter'), mean, cv);
    const n = referenceNormal(createStream(4, 0, 'wire.jitter'), Math.log(mean) - s2 / 2, Math.sqrt(s2));
    let diff = 0;
    for (let i = 0; i < 200_000; i++) if (!Object.is(a(), Math.exp(n()))) diff++;
    expect(diff).toBe(0);
  });
});
