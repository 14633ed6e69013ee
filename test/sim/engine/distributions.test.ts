/**
 * Distribution checks with fixed seeds. Tolerances come from sampling theory, n = 200000 draws:
 * - mean: |x̄ - mu| < 5 SE, SE = sigma / sqrt(n) (a 5-sigma band: a correct sampler fails with
 *   probability < 1e-6 over seeds; the seed is fixed so the run is reproducible).
 * - variance: |s^2 - sigma^2| < 5 SE with SE(s^2) = sqrt((mu4 - sigma^4) / n), mu4 the 4th central moment.
 * - CDF: Kolmogorov-Smirnov distance D_n < 1.95 / sqrt(n) (the alpha = 0.001 critical value),
 *   evaluated exactly on the sorted sample.
 */
import { describe, expect, it } from 'vitest';
import {
  deterministic,
  empirical,
  erlang,
  exponential,
  gamma,
  lognormal,
  lognormalFromMeanCv,
  mixture,
  normal,
  uniform,
} from '../../../sim/engine/distributions/index.ts';
import seedrandom from 'seedrandom';
import { createStream, streamKey } from '../../../sim/engine/rng.ts';
import { normalCdf } from '../../../sim/engine/stats/normal.ts';
import { incompleteBeta } from '../../../sim/engine/stats/student-t.ts';

const N = 200_000;

function draw(f: () => number, n = N): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = f();
  return out;
}

function moments(xs: Float64Array): { mean: number; variance: number } {
  let s = 0;
  for (const x of xs) s += x;
  const mean = s / xs.length;
  let v = 0;
  for (const x of xs) v += (x - mean) ** 2;
  return { mean, variance: v / (xs.length - 1) };
}

function ksDistance(xs: Float64Array, cdf: (x: number) => number): number {
  const s = Float64Array.from(xs).sort();
  const n = s.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(s[i]!);
    d = Math.max(d, Math.abs(f - i / n), Math.abs((i + 1) / n - f));
  }
  return d;
}

function checkMoments(xs: Float64Array, mu: number, sigma2: number, mu4: number): void {
  const m = moments(xs);
  const n = xs.length;
  expect(Math.abs(m.mean - mu)).toBeLessThan(5 * Math.sqrt(sigma2 / n));
  expect(Math.abs(m.variance - sigma2)).toBeLessThan(5 * Math.sqrt((mu4 - sigma2 * sigma2) / n));
}

const KS = 1.95 / Math.sqrt(N);

describe('distributions', () => {
  it('exponential: mean 1/rate, variance 1/rate^2, CDF 1 - e^{-rate x}', () => {
    const rate = 2.5;
    const xs = draw(exponential(createStream(11, 0, 'exp'), rate));
    // Exp: mu4 = 9 / rate^4.
    checkMoments(xs, 1 / rate, 1 / rate ** 2, 9 / rate ** 4);
    expect(ksDistance(xs, (x) => 1 - Math.exp(-rate * x))).toBeLessThan(KS);
  });

  it('uniform: mean (lo+hi)/2, variance w^2/12, linear CDF', () => {
    const xs = draw(uniform(createStream(12, 0, 'u'), 3, 7));
    const w = 4;
    checkMoments(xs, 5, w ** 2 / 12, w ** 4 / 80);
    expect(ksDistance(xs, (x) => Math.min(1, Math.max(0, (x - 3) / w)))).toBeLessThan(KS);
  });

  it('normal: mean, variance and CDF', () => {
    const xs = draw(normal(createStream(13, 0, 'n'), -2, 3));
    // Normal: mu4 = 3 sigma^4.
    checkMoments(xs, -2, 9, 3 * 81);
    expect(ksDistance(xs, (x) => normalCdf((x + 2) / 3))).toBeLessThan(KS);
  });

  it('lognormal: log of the draws is normal; the mean/cv form hits its mean and cv', () => {
    const xs = draw(lognormal(createStream(14, 0, 'ln'), 1, 0.5));
    expect(ksDistance(xs, (x) => (x > 0 ? normalCdf((Math.log(x) - 1) / 0.5) : 0))).toBeLessThan(KS);
    const mean = 10;
    const cv = 0.5;
    const ys = draw(lognormalFromMeanCv(createStream(14, 0, 'lnmc'), mean, cv));
    const m = moments(ys);
    expect(Math.abs(m.mean - mean)).toBeLessThan(5 * ((mean * cv) / Math.sqrt(N)));
    // Lognormal with sigma^2 = ln(1 + cv^2): E[X^k] = mean^k (1+cv^2)^{k(k-1)/2}; SE of s^2 from mu4.
    const w = 1 + cv * cv;
    const ex = (k: number) => mean ** k * w ** ((k * (k - 1)) / 2);
    const mu4 = ex(4) - 4 * ex(3) * mean + 6 * ex(2) * mean ** 2 - 3 * mean ** 4;
    const s2 = (mean * cv) ** 2;
    expect(Math.abs(m.variance - s2)).toBeLessThan(5 * Math.sqrt((mu4 - s2 * s2) / N));
  });

  it('gamma: mean k theta, variance k theta^2, CDF, for shape above and below 1', () => {
    for (const [k, theta] of [
      [3.5, 2],
      [0.4, 5],
    ] as const) {
      const xs = draw(gamma(createStream(15, 0, `g${k}`), k, theta));
      // Gamma: mu4 = 3 k (k + 2) theta^4.
      checkMoments(xs, k * theta, k * theta * theta, 3 * k * (k + 2) * theta ** 4);
      // Gamma CDF is the regularized lower incomplete gamma P(k, x / theta).
      expect(ksDistance(xs, (x) => lowerGammaP(k, x / theta))).toBeLessThan(KS);
    }
  });

  it('erlang: sum of k exponentials', () => {
    const k = 4;
    const rate = 2;
    const xs = draw(erlang(createStream(16, 0, 'erl'), k, rate));
    checkMoments(xs, k / rate, k / rate ** 2, (3 * k * (k + 2)) / rate ** 4);
    expect(() => erlang(createStream(16, 0, 'erl'), 1.5, 2)).toThrow(/k must be/);
  });

  it('empirical: frequencies follow the weights within 5 binomial SE', () => {
    const values = [1, 2, 5, 9];
    const weights = [1, 0, 3, 6];
    const xs = draw(empirical(createStream(17, 0, 'emp'), values, weights));
    values.forEach((v, i) => {
      const p = weights[i]! / 10;
      const f = xs.filter((x) => x === v).length / N;
      expect(Math.abs(f - p)).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / N));
    });
  });

  it('mixture: mean and CDF of a two-component exponential mixture (hyperexponential)', () => {
    const src = createStream(18, 0, 'mix');
    const xs = draw(
      mixture(src, [
        { weight: 0.7, sample: exponential(createStream(18, 0, 'a'), 1) },
        { weight: 0.3, sample: exponential(createStream(18, 0, 'b'), 0.1) },
      ]),
    );
    const mean = 0.7 * 1 + 0.3 * 10;
    const ex2 = 0.7 * 2 + 0.3 * 200;
    const ex3 = 0.7 * 6 + 0.3 * 6000;
    const ex4 = 0.7 * 24 + 0.3 * 240000;
    const s2 = ex2 - mean ** 2;
    const mu4 = ex4 - 4 * ex3 * mean + 6 * ex2 * mean ** 2 - 3 * mean ** 4;
    checkMoments(xs, mean, s2, mu4);
    expect(ksDistance(xs, (x) => 1 - 0.7 * Math.exp(-x) - 0.3 * Math.exp(-0.1 * x))).toBeLessThan(KS);
  });

  it('deterministic returns its value', () => {
    const d = deterministic(7.5);
    expect([d(), d(), d()]).toEqual([7.5, 7.5, 7.5]);
  });

  it('rejects invalid parameters naming the parameter and value', () => {
    const s = createStream(1, 0, 'x');
    expect(() => exponential(s, -1)).toThrow(/rate must be > 0.*-1/);
    expect(() => exponential(s, Number.NaN)).toThrow(/rate/);
    expect(() => uniform(s, 2, 1)).toThrow(/hi must be >= lo/);
    expect(() => normal(s, 0, -1)).toThrow(/sigma/);
    expect(() => gamma(s, 0, 1)).toThrow(/shape/);
    expect(() => lognormalFromMeanCv(s, 1, -0.1)).toThrow(/cv/);
    expect(() => empirical(s, [])).toThrow(/values/);
    expect(() => empirical(s, [1, 2], [0, 0])).toThrow(/weights/);
    expect(() => mixture(s, [{ weight: -1, sample: () => 0 }])).toThrow(/weight/);
    expect(() => deterministic(Number.POSITIVE_INFINITY)).toThrow(/value/);
  });

  it('streams are reproducible per key and differ across components and replications', () => {
    const a = draw(createStream(5, 0, 'nic'), 5);
    const b = draw(createStream(5, 0, 'nic'), 5);
    const c = draw(createStream(5, 0, 'cpu'), 5);
    const d = draw(createStream(5, 1, 'nic'), 5);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(Array.from(a)).not.toEqual(Array.from(d));
  });
});

/** Regularized lower incomplete gamma P(a, x): series for x < a + 1, else continued fraction. */
function lowerGammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const lg = logGammaFn(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (term < sum * 1e-15) break;
    }
    return sum * Math.exp(-x + a * Math.log(x) - lg);
  }
  // Lentz continued fraction for Q(a, x).
  let b = x + 1 - a;
  let c = 1e300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return 1 - Math.exp(-x + a * Math.log(x) - lg) * h;
}

function logGammaFn(a: number): number {
  // Lanczos approximation (g = 7, n = 9), ~1e-15 relative error for a > 0.
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (a < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * a)) - logGammaFn(1 - a);
  const x = a - 1;
  let s = g[0]!;
  for (let i = 1; i < 9; i++) s += g[i]! / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
}

// Keep incompleteBeta exercised: I_x(a, b) against a closed form, I_x(1, b) = 1 - (1-x)^b.
describe('incompleteBeta', () => {
  it('matches closed forms', () => {
    expect(incompleteBeta(0.3, 1, 4)).toBeCloseTo(1 - 0.7 ** 4, 12);
    expect(incompleteBeta(0.3, 2, 1)).toBeCloseTo(0.09, 12);
  });
});

describe('createStream', () => {
  it('is seedrandom.alea keyed on (seed, replication, component)', () => {
    const s = createStream(7, 3, 'cpu');
    const t = seedrandom.alea(streamKey(7, 3, 'cpu'));
    for (let i = 0; i < 100; i++) expect(s()).toBe(t());
    expect(() => createStream(Number.NaN, 0, 'x')).toThrow(/seed/);
    expect(() => createStream(1, -1, 'x')).toThrow(/replication/);
  });
});
