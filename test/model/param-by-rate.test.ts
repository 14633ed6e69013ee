/** Values known at two rates: linear in log(rate), clamped at 0, and key by key over `--set` maps. */
import { describe, expect, it } from 'vitest';
import { setAtRate, valueAtRate } from '../../model/param-by-rate.ts';

const p = { rates_rps: [4000, 32000] as [number, number], values: [30_000, 12_000] as [number, number] };

describe('valueAtRate', () => {
  it('gives the two values at their rates and is linear in log(rate) between them', () => {
    expect(valueAtRate(p, 4000)).toBe(30_000);
    expect(valueAtRate(p, 32000)).toBe(12_000);
    // 8000 and 16000 are one and two of the three doublings from 4000 to 32000.
    expect(valueAtRate(p, 8000)).toBe(24_000);
    expect(valueAtRate(p, 16000)).toBe(18_000);
  });

  it('extrapolates beyond the rates on the same line, and never below 0', () => {
    expect(valueAtRate(p, 64000)).toBe(6_000);
    expect(valueAtRate(p, 2000)).toBe(36_000);
    expect(valueAtRate(p, 128000)).toBe(0);
    expect(valueAtRate(p, 1e6)).toBe(0);
  });

  it('keeps 12 significant digits, so that the value survives --set text unchanged', () => {
    const v = valueAtRate({ rates_rps: [4000, 32000], values: [1, 2] }, 10000);
    expect(v).toBe(Number((1 + Math.log(10000 / 4000) / Math.log(8)).toPrecision(12)));
    expect(Number(String(v))).toBe(v);
  });

  it('returns an equal pair unchanged at any rate, and rejects rates that are not ascending', () => {
    expect(valueAtRate({ rates_rps: [4000, 32000], values: [7, 7] }, 1)).toBe(7);
    expect(() => valueAtRate({ rates_rps: [32000, 4000], values: [1, 2] }, 8000)).toThrow(/ascending/);
  });
});

describe('setAtRate', () => {
  it('interpolates the keys that differ and keeps the others', () => {
    const out = setAtRate(4000, { a: 30_000, b: 5, c: 0.5 }, 32000, { a: 12_000, b: 5, c: 0.5 }, 8000);
    expect(out).toEqual({ a: 24_000, b: 5, c: 0.5 });
  });

  it('rejects sets whose keys differ, naming the key', () => {
    expect(() => setAtRate(4000, { a: 1 }, 32000, { a: 2, b: 3 }, 8000)).toThrow(/b is set at 32000/);
    expect(() => setAtRate(4000, { a: 1, c: 3 }, 32000, { a: 2 }, 8000)).toThrow(/c is set at 4000/);
  });
});
