/**
 * exponentialZiggurat against Exp(rate), with fixed seeds, n = 10^6 draws per check. Tolerances:
 * - tables: every layer has area V to 1e-12 relative (the recursion from Marsaglia and Tsang's r, V).
 * - mean within 5 SE (SE = 1/(rate sqrt n)); variance within 5 SE(s^2) = 5 sqrt((mu4 - sigma^4)/n),
 *   mu4 = 9/rate^4 for the exponential, so SE(s^2) = sqrt(8/n)/rate^2.
 * - Kolmogorov-Smirnov: D_n < 1.95/sqrt(n) (alpha = 0.001).
 * - chi-square over k = 1024 equiprobable bins (expected n/k = 977 each): the statistic is below
 *   the alpha = 1e-4 critical value of chi^2(k-1), by Wilson-Hilferty. The bins resolve the density
 *   to ~3 % each, and a 1 % density error spread over the 256 layers' region would add ~n*(0.01)^2 =
 *   100 to a statistic with sd sqrt(2k) = 45.
 * - tail beyond r (the base strip's tail path): count within 5 sd of the binomial n e^{-r}; beyond
 *   12, where n e^{-12} = 6.1, a Poisson band 0..17 (P(count > 17) < 1e-4).
 * - the wedge path (u >= X[i+1]/X[i] in a layer i >= 1) is taken on ~2.2 % of draws; the chi-square
 *   bins inside (0, r) catch a wrong wedge test.
 */
import { describe, expect, it } from 'vitest';
import {
  exponentialZiggurat,
  ZIGGURAT_EXP_R,
  ZIGGURAT_EXP_V,
  zigguratExpTables,
} from '../../../sim/engine/distributions/exponential-ziggurat.ts';
import { createStream } from '../../../sim/engine/rng.ts';
import { normalQuantile } from '../../../sim/engine/stats/normal.ts';

const N = 1_000_000;

function draw(f: () => number, n = N): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = f();
  return out;
}

/** Upper alpha critical value of chi^2(df) by Wilson-Hilferty (relative error < 1e-3 for df ~ 1000). */
function chi2Critical(df: number, alpha: number): number {
  const z = normalQuantile(1 - alpha);
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

describe('exponentialZiggurat tables', () => {
  it('has 256 layers of area V and the base strip plus tail of area V', () => {
    const { x, f, q } = zigguratExpTables();
    const v = ZIGGURAT_EXP_V;
    const r = ZIGGURAT_EXP_R;
    expect(x[1]).toBe(r);
    expect(x[256]).toBe(0);
    // Base strip [0, r) x [0, e^{-r}] plus tail e^{-r}.
    expect(Math.abs(r * Math.exp(-r) + Math.exp(-r) - v) / v).toBeLessThan(1e-12);
    for (let i = 1; i < 256; i++) {
      expect(x[i + 1]!).toBeLessThan(x[i]!);
      expect(Math.abs(x[i]! * (f[i + 1]! - f[i]!) - v) / v).toBeLessThan(1e-12);
      expect(q[i]).toBe(x[i + 1]! / x[i]!);
    }
    // The rectangles cover the density with a little to spare (256 V = 1.011: 98.9 % of points fall
    // under the curve), and the top one reaches height e^0 = 1.
    expect(256 * v).toBeGreaterThan(1);
    expect(f[256]).toBe(1);
  });
});

describe('exponentialZiggurat', () => {
  for (const [seed, rate] of [
    [21, 1],
    [22, 1 / 1000],
  ] as const) {
    it(`draws Exp(${rate}): mean, variance, KS, chi-square, tail (seed ${seed})`, () => {
      const xs = draw(exponentialZiggurat(createStream(seed, 0, 'zig'), rate));
      let s = 0;
      for (const x of xs) s += x;
      const mean = s / N;
      let v = 0;
      for (const x of xs) v += (x - mean) ** 2;
      v /= N - 1;
      expect(Math.abs(mean - 1 / rate)).toBeLessThan((5 * (1 / rate)) / Math.sqrt(N));
      expect(Math.abs(v - 1 / rate ** 2)).toBeLessThan((5 * Math.sqrt(8 / N)) / rate ** 2);

      // Work in Exp(1) units from here.
      const sorted = Float64Array.from(xs, (x) => x * rate).sort();
      let d = 0;
      for (let i = 0; i < N; i++) {
        const c = 1 - Math.exp(-sorted[i]!);
        d = Math.max(d, Math.abs(c - i / N), Math.abs((i + 1) / N - c));
      }
      expect(d).toBeLessThan(1.95 / Math.sqrt(N));

      const k = 1024;
      const counts = new Float64Array(k);
      // Bin of x: floor(k * F(x)), F(x) = 1 - e^{-x}.
      for (const x of sorted) counts[Math.min(k - 1, Math.floor(k * -Math.expm1(-x)))]!++;
      const e = N / k;
      let chi2 = 0;
      for (const c of counts) chi2 += (c - e) ** 2 / e;
      expect(chi2).toBeLessThan(chi2Critical(k - 1, 1e-4));

      const tailP = Math.exp(-ZIGGURAT_EXP_R);
      let beyondR = 0;
      let beyond12 = 0;
      for (const x of sorted) {
        if (x >= ZIGGURAT_EXP_R) beyondR++;
        if (x >= 12) beyond12++;
      }
      expect(Math.abs(beyondR - N * tailP)).toBeLessThan(5 * Math.sqrt(N * tailP * (1 - tailP)));
      // Poisson(6.14): P(count > 17) < 1e-4 and P(count = 0) = 0.002; allow 0..17.
      expect(beyond12).toBeLessThanOrEqual(17);
    });
  }

  it('gives the same values through an opaque source as through the stream directly', () => {
    const fast = exponentialZiggurat(createStream(3, 1, 'z'), 2);
    const src = createStream(3, 1, 'z');
    const slow = exponentialZiggurat(() => src(), 2);
    let diff = 0;
    for (let i = 0; i < 200_000; i++) if (!Object.is(fast(), slow())) diff++;
    expect(diff).toBe(0);
  });

  it('works on a 53-bit source (the layer from the top 8 bits, the rest for the position)', () => {
    // A full-precision source: two Alea draws combined (d3-random style sources give 53 bits).
    const a = createStream(4, 0, 'hi');
    const src = () => a() + Math.floor(a() * 2 ** 21) * 2 ** -53;
    const xs = draw(exponentialZiggurat(src, 1), 200_000);
    let s = 0;
    for (const x of xs) s += x;
    expect(Math.abs(s / xs.length - 1)).toBeLessThan(5 / Math.sqrt(xs.length));
  });

  it('rejects a bad rate naming it', () => {
    const s = createStream(1, 0, 'x');
    expect(() => exponentialZiggurat(s, 0)).toThrow(/rate must be > 0.*0/);
    expect(() => exponentialZiggurat(s, Number.NaN)).toThrow(/rate/);
  });
});
