import { describe, expect, it } from 'vitest';
import { axisIntervals } from '../../calibration/uncertainty.ts';
import { fromUnit1, toUnit1 } from '../../calibration/unit-box.ts';

describe('axisIntervals', () => {
  const bounds = [
    { lower: 0, upper: 10 },
    { lower: 0, upper: 10 },
  ];
  const opt = [3, 6];
  // Negative log-likelihood of two independent normal parameters with sd 0.2 and 0.5.
  const loss = (x: number[]) => 0.5 * ((x[0]! - 3) / 0.2) ** 2 + 0.5 * ((x[1]! - 6) / 0.5) ** 2;
  const at = (i: number, u: number) => {
    const x = opt.slice();
    x[i] = fromUnit1(bounds[i]!, u);
    return Promise.resolve(loss(x));
  };
  const uOpt = opt.map((v, i) => toUnit1(bounds[i]!, v));

  it('recovers one standard deviation of a quadratic loss (loss + 0.5)', async () => {
    const iv = await axisIntervals(uOpt, 0, at, (i, u) => fromUnit1(bounds[i]!, u), { bisections: 12 });
    // 12 bisections of a bracket of at most 0.54 of the range locate each edge to 10 * 0.54 / 4096 = 0.0013.
    expect(iv[0]!.sd).toBeCloseTo(0.2, 2);
    expect(iv[1]!.sd).toBeCloseTo(0.5, 2);
    expect(iv[0]!.hitBound).toBe(false);
    expect(iv[0]!.complete).toBe(true);
  });

  it('includes a flat region (a measurement bucket) in the interval', async () => {
    // Zero within 1 of the optimum, then quadratic with sd 0.2: edges at 3 -+ (1 + 0.2).
    const flat = (i: number, u: number) => {
      const d = Math.max(0, Math.abs(fromUnit1(bounds[i]!, u) - 3) - 1);
      return Promise.resolve(0.5 * (d / 0.2) ** 2);
    };
    const iv = await axisIntervals([0.3], 0, flat, (_i, u) => fromUnit1(bounds[0]!, u), { bisections: 12 });
    expect(iv[0]!.lower).toBeCloseTo(1.8, 2);
    expect(iv[0]!.upper).toBeCloseTo(4.2, 2);
  });

  it('flags a parameter the loss does not constrain, and a walk cut by the budget', async () => {
    const none = await axisIntervals(
      [0.5],
      0,
      () => Promise.resolve(0),
      (_i, u) => u,
    );
    expect(none[0]!.hitBound).toBe(true);
    const cut = await axisIntervals(uOpt, 0, at, (i, u) => fromUnit1(bounds[i]!, u), { maxEvals: 5 });
    expect(cut[1]!.complete).toBe(false);
  });
});
