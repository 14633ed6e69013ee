import { describe, expect, it } from 'vitest';
import { nelderMead } from '../../calibration/nelder-mead.ts';

describe('nelderMead', () => {
  it('finds the minimum of the Rosenbrock valley (1, 1)', async () => {
    const rosen = (x: number[]) => 100 * (x[1]! - x[0]! ** 2) ** 2 + (1 - x[0]!) ** 2;
    const r = await nelderMead(
      rosen,
      [-1.2, 1],
      [
        { lower: -2, upper: 2 },
        { lower: -1, upper: 3 },
      ],
      { maxEvals: 2000, xTol: 1e-7, fTol: 1e-14 },
    );
    // The valley is flat along its floor: f = 1e-8 around (1,1) means |x-1| ~ 1e-4; allow 1e-3.
    expect(r.x[0]).toBeCloseTo(1, 3);
    expect(r.x[1]).toBeCloseTo(1, 3);
    expect(r.value).toBeLessThan(1e-6);
    expect(r.stop).toBe('converged');
  });

  it('finds a shifted 5-dimensional quadratic bowl with unequal curvatures', async () => {
    const c = [0.3, -1.2, 2.5, 0.05, -0.7];
    const w = [1, 10, 0.1, 100, 3];
    const f = (x: number[]) => x.reduce((s, v, i) => s + w[i]! * (v - c[i]!) ** 2, 0);
    const r = await nelderMead(
      f,
      [0, 0, 0, 0, 0],
      c.map(() => ({ lower: -5, upper: 5 })),
      { maxEvals: 5000, xTol: 1e-8, fTol: 1e-14 },
    );
    for (const [i, v] of r.x.entries()) expect(Math.abs(v - c[i]!)).toBeLessThan(1e-3);
  });

  it('stops on the bound when the unconstrained minimum lies outside the box', async () => {
    const f = (x: number[]) => (x[0]! - 10) ** 2 + (x[1]! + 3) ** 2;
    const r = await nelderMead(
      f,
      [0.5, 0.5],
      [
        { lower: 0, upper: 1 },
        { lower: 0, upper: 1 },
      ],
      { maxEvals: 500 },
    );
    expect(r.x[0]).toBeCloseTo(1, 6);
    expect(r.x[1]).toBeCloseTo(0, 6);
  });

  it('searches log-scaled parameters across decades', async () => {
    // Minimum at 2e-5 inside [1e-8, 1]: a linear search from 0.5 would hardly resolve it.
    const f = (x: number[]) => (Math.log10(x[0]!) - Math.log10(2e-5)) ** 2;
    const r = await nelderMead(f, [0.5], [{ lower: 1e-8, upper: 1, log: true }], {
      maxEvals: 300,
      xTol: 1e-9,
    });
    expect(r.x[0]! / 2e-5).toBeCloseTo(1, 4);
  });

  it('is deterministic and respects the evaluation budget', async () => {
    const seen: number[][] = [];
    const f = (x: number[]) => {
      seen.push(x.slice());
      return Math.sin(3 * x[0]!) + Math.cos(2 * x[1]!) + 0.1 * x[0]! * x[1]!;
    };
    const bounds = [
      { lower: -3, upper: 3 },
      { lower: -3, upper: 3 },
    ];
    const a = await nelderMead(f, [0, 0], bounds, { maxEvals: 40 });
    const first = seen.splice(0);
    const b = await nelderMead(f, [0, 0], bounds, { maxEvals: 40 });
    expect(first.length).toBeLessThanOrEqual(40);
    expect(a.evals).toBe(first.length);
    expect(seen).toEqual(first);
    expect(b.x).toEqual(a.x);
    expect(a.stop).toBe('budget');
  });

  it("reaches the minimum of McKinnon's function and restarts at least once to confirm it", async () => {
    // McKinnon's function (tau 2, theta 6, phi 60) makes Nelder-Mead stall at the non-stationary
    // origin from his particular simplex; from an axis simplex the search must reach the true
    // minimum, and a converged run is always followed by a confirming restart.
    const mck = (x: number[]) => {
      const [a, b] = [x[0]!, x[1]!];
      return (a <= 0 ? 360 * Math.abs(a) ** 2 : 6 * a ** 2) + b + b * b;
    };
    const r = await nelderMead(
      mck,
      [1, 1],
      [
        { lower: -1, upper: 2 },
        { lower: -1, upper: 2 },
      ],
      { maxEvals: 2000, maxRestarts: 6, xTol: 1e-8, fTol: 1e-12 },
    );
    // True minimum: a = 0, b = -0.5, value -0.25.
    expect(r.value).toBeCloseTo(-0.25, 6);
    expect(r.restarts).toBeGreaterThanOrEqual(1);
  });

  it('stops at the first point reaching fTarget (a loss that cannot go below it)', async () => {
    // Zero on the whole interval [0.4, 0.6], positive outside: any point inside is optimal.
    const f = (x: number[]) => Math.max(0, Math.abs(x[0]! - 0.5) - 0.1) ** 2;
    const r = await nelderMead(f, [0.9], [{ lower: 0, upper: 1 }], { maxEvals: 200, fTarget: 0 });
    expect(r.value).toBe(0);
    expect(r.stop).toBe('target');
    expect(r.evals).toBeLessThan(20);
  });

  it('rejects malformed bounds with a message naming the bound', async () => {
    await expect(nelderMead(() => 0, [1], [{ lower: 1, upper: 1 }], { maxEvals: 10 })).rejects.toThrow(
      /bound 0/,
    );
    await expect(
      nelderMead(() => 0, [1], [{ lower: 0, upper: 1, log: true }], { maxEvals: 10 }),
    ).rejects.toThrow(/log bound 0/);
  });
});
