import { describe, expect, it } from 'vitest';
import { normal } from '../../../sim/engine/distributions/normal.ts';
import { createStream } from '../../../sim/engine/rng.ts';
import { batchMeans } from '../../../sim/engine/stats/batch-means.ts';
import { meanInterval, relativeHalfWidth } from '../../../sim/engine/stats/confidence.ts';
import { mser5 } from '../../../sim/engine/stats/mser5.ts';
import { normalCdf, normalQuantile } from '../../../sim/engine/stats/normal.ts';
import { studentTCdf, studentTQuantile } from '../../../sim/engine/stats/student-t.ts';
import { TimeWeighted } from '../../../sim/engine/stats/time-weighted.ts';

describe('Student t and normal', () => {
  it('match published table values', () => {
    // t_{0.975, df} from standard tables.
    const table: Array<[number, number]> = [
      [1, 12.706],
      [2, 4.303],
      [5, 2.571],
      [9, 2.262],
      [19, 2.093],
      [29, 2.045],
      [120, 1.98],
    ];
    for (const [df, t] of table) expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 3);
    expect(studentTQuantile(0.9995, 29)).toBeCloseTo(3.659, 3);
    expect(studentTCdf(0, 7)).toBeCloseTo(0.5, 12);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalCdf(-1.959964)).toBeCloseTo(0.025, 6);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
  });
});

describe('meanInterval', () => {
  it('covers the true mean ~95 % of the time (2000 intervals of 5 normal draws)', () => {
    // Coverage of exact t intervals for normal data is 0.95; over 2000 independent intervals the
    // observed fraction has SE sqrt(0.95 * 0.05 / 2000) = 0.0049: accept within 5 SE (0.024).
    const g = normal(createStream(9, 0, 'cov'), 10, 3);
    let covered = 0;
    for (let i = 0; i < 2000; i++) {
      const ci = meanInterval([g(), g(), g(), g(), g()]);
      if (ci.lo <= 10 && 10 <= ci.hi) covered++;
    }
    expect(Math.abs(covered / 2000 - 0.95)).toBeLessThan(0.024);
  });

  it('computes the textbook interval', () => {
    const ci = meanInterval([1, 2, 3, 4, 5]);
    expect(ci.mean).toBe(3);
    expect(ci.sd).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(ci.halfWidth).toBeCloseTo((2.776445 * Math.sqrt(2.5)) / Math.sqrt(5), 5);
    expect(relativeHalfWidth(ci)).toBeCloseTo(ci.halfWidth / 3, 12);
    expect(meanInterval([4]).halfWidth).toBe(Number.POSITIVE_INFINITY);
    expect(() => meanInterval([])).toThrow(/empty/);
  });
});

describe('mser5', () => {
  it('cuts an initial transient and keeps a stationary series nearly whole', () => {
    const g = normal(createStream(10, 0, 'mser'), 0, 1);
    // 10000 observations; the first 1000 carry a decaying bias 8 e^{-i/200}, which falls below
    // 0.05 (a twentieth of the noise SD) after i = 200 ln(160) ~ 1015.
    const xs = Float64Array.from({ length: 10_000 }, (_, i) => g() + (i < 1000 ? 8 * Math.exp(-i / 200) : 0));
    const r = mser5(xs);
    expect(r.reliable).toBe(true);
    expect(r.truncate).toBeGreaterThan(300);
    expect(r.truncate).toBeLessThan(2000);
    expect(r.truncate % 5).toBe(0);
    const flat = Float64Array.from({ length: 10_000 }, () => g());
    // Over 200 seeds the transient case truncated 440-750 observations and the flat one at most 80.
    expect(mser5(flat).truncate).toBeLessThan(1000);
  });

  it('with winsorize, ignores rare spikes that plain MSER cuts up to, and still cuts a transient', () => {
    const g = normal(createStream(11, 0, 'mser'), 0, 1);
    // 50000 observations (10000 batches of 5), stationary N(0,1) but for 5 spikes of +1000 in the
    // first 30 %: each makes its batch mean ~200 against batch means of SD 1/sqrt(5). Before the last
    // spike MSER(d) >= 200^2 / (k - d)^2 ~ 4e-4; past it ~0.2 / (k - d) ~ 3e-5: plain MSER cuts past it.
    const spikes = [2000, 6000, 9000, 12000, 15000];
    const xs = Float64Array.from({ length: 50_000 }, (_, i) => g() + (spikes.includes(i) ? 1000 : 0));
    expect(mser5(xs).truncate).toBeGreaterThan(15000);
    // Clipped at the 99.9 % quantile of the batch means (the spikes are 5 of the top 10 batches), the
    // series is a stationary one: the flat bound of the case above (5 batches at 1000 observations
    // per 10000) scaled to 50000.
    const w = mser5(xs, { winsorize: 0.999 });
    expect(w.reliable).toBe(true);
    expect(w.truncate).toBeLessThan(5000);
    // The decaying bias of the first case (its batches far more than 0.1 % of them) is still cut.
    const ys = Float64Array.from({ length: 10_000 }, (_, i) => g() + (i < 1000 ? 8 * Math.exp(-i / 200) : 0));
    const t = mser5(ys, { winsorize: 0.999 }).truncate;
    expect(t).toBeGreaterThan(300);
    expect(t).toBeLessThan(2000);
    // Over 200 seeds: plain MSER cut at least 15005, the clipped one at most 105 of the spiky series,
    // and 465-725 of the transient one.
    expect(() => mser5(ys, { winsorize: 0 })).toThrow(/winsorize/);
  });

  it('flags a series that never settles', () => {
    // A steady upward trend: the minimum sits at the search limit.
    const xs = Float64Array.from({ length: 5000 }, (_, i) => i);
    const r = mser5(xs);
    expect(r.reliable).toBe(false);
    expect(mser5([1, 2, 3]).truncate).toBe(0);
  });
});

describe('batchMeans', () => {
  it('gives a t interval over batch means', () => {
    const xs = Array.from({ length: 100 }, (_, i) => (i < 50 ? 1 : 3));
    const ci = batchMeans(xs, 2);
    expect(ci.mean).toBe(2);
    expect(ci.n).toBe(2);
    expect(() => batchMeans(xs, 1)).toThrow(/batches/);
    expect(() => batchMeans([1], 5)).toThrow(/too short/);
  });
});

describe('TimeWeighted', () => {
  it('averages a piecewise-constant value over time and resets', () => {
    const tw = new TimeWeighted(0, 0);
    tw.set(10, 2); // 0 for 10 ns
    tw.set(30, 1); // 2 for 20 ns
    expect(tw.mean(40)).toBeCloseTo((0 * 10 + 2 * 20 + 1 * 10) / 40, 12);
    expect(tw.max).toBe(2);
    tw.reset(40);
    tw.add(50, 3); // 1 for 10 ns, then 4
    expect(tw.mean(60)).toBeCloseTo((1 * 10 + 4 * 10) / 20, 12);
    expect(() => tw.set(45, 0)).toThrow(/back/);
  });
});
