/**
 * Bounded Nelder-Mead with restarts, for minimising an expensive, possibly noisy-but-deterministic
 * objective (a simulator run with common random numbers) over a box.
 *
 * - The search runs in the unit cube: each coordinate is mapped from its box [lower, upper] (linearly,
 *   or logarithmically when `log` is set, so that a parameter spanning decades is searched in ratio
 *   steps). Points outside the cube are clamped onto it, which keeps every evaluation inside the
 *   bounds the caller declared.
 * - Restarts: when a run converges (simplex spread below `xTol` in the cube and value spread below
 *   `fTol`) a fresh simplex of the initial size is built around the best point; the search stops when
 *   a restart finds no improvement larger than `fTol`, or when the evaluation budget is spent.
 *   Restarting is the standard cure for Nelder-Mead's collapse onto a non-stationary point.
 * - Flat steps: when all simplex values agree and the best has not improved for 2n + 2 iterations,
 *   the run counts as converged (quantiles of a fixed simulated sample are piecewise constant).
 * - Deterministic: no randomness at all; the same objective gives the same sequence of evaluations.
 * - Evaluations are memoised on the exact point, so a clamped point met twice costs one evaluation.
 *
 * Cost: at most `maxEvals` objective evaluations plus O(n^2) arithmetic per iteration.
 */
import { type Bound, clamp01, fromUnit1, toUnit1 } from './unit-box.ts';

/** Search bounds; `log` searches in log space (both bounds must then be > 0). */
export type NelderMeadBound = Bound;

export interface NelderMeadOptions {
  /** Hard cap on objective evaluations (memoised repeats are free). */
  maxEvals: number;
  /** Initial simplex edge, as a fraction of each (possibly log) range; default 0.15. */
  initialStep?: number;
  /** Convergence: simplex spread in unit-cube coordinates; default 1e-4. */
  xTol?: number;
  /** Convergence: spread of objective values over the simplex; default 1e-8. */
  fTol?: number;
  /** Most restarts after the first run; default 4. */
  maxRestarts?: number;
  /** Stop as soon as a value at or below this is found (a loss that cannot go below 0); default none. */
  fTarget?: number;
  /** Called after every new evaluation (progress reporting). */
  onEval?: (evals: number, best: number) => void;
}

export interface NelderMeadResult {
  x: number[];
  value: number;
  evals: number;
  restarts: number;
  iterations: number;
  /** Why the search stopped. */
  stop: 'converged' | 'budget' | 'target';
}

type Objective = (x: number[]) => number | Promise<number>;

export async function nelderMead(
  f: Objective,
  x0: readonly number[],
  bounds: readonly NelderMeadBound[],
  opts: NelderMeadOptions,
): Promise<NelderMeadResult> {
  const n = x0.length;
  if (n === 0) throw new RangeError('nelderMead: no parameters');
  if (bounds.length !== n) throw new RangeError(`nelderMead: ${bounds.length} bounds for ${n} parameters`);
  bounds.forEach((b, i) => {
    if (!(b.upper > b.lower)) throw new RangeError(`nelderMead: bound ${i} has upper <= lower`);
    if (b.log && !(b.lower > 0)) throw new RangeError(`nelderMead: log bound ${i} must be > 0`);
  });
  const step = opts.initialStep ?? 0.15;
  const xTol = opts.xTol ?? 1e-4;
  const fTol = opts.fTol ?? 1e-8;
  const maxRestarts = opts.maxRestarts ?? 4;

  const toUnit = (x: readonly number[]) => x.map((v, i) => toUnit1(bounds[i]!, v));
  const fromUnit = (u: readonly number[]) => u.map((v, i) => fromUnit1(bounds[i]!, v));

  const cache = new Map<string, number>();
  let evals = 0;
  let bestValue = Number.POSITIVE_INFINITY;
  let bestU: number[] = toUnit(x0);
  let budgetHit = false;
  const fTarget = opts.fTarget ?? Number.NEGATIVE_INFINITY;
  let targetHit = false;

  const evalU = async (u: number[]): Promise<number> => {
    const c = u.map(clamp01);
    const key = c.map((v) => v.toPrecision(15)).join(',');
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    if (targetHit) return Number.POSITIVE_INFINITY;
    if (evals >= opts.maxEvals) {
      budgetHit = true;
      return Number.POSITIVE_INFINITY;
    }
    evals++;
    const raw = await f(fromUnit(c));
    const v = Number.isFinite(raw) ? raw : Number.POSITIVE_INFINITY;
    cache.set(key, v);
    if (v < bestValue) {
      bestValue = v;
      bestU = c;
    }
    if (v <= fTarget) targetHit = true;
    opts.onEval?.(evals, bestValue);
    return v;
  };

  let iterations = 0;
  let restarts = 0;
  let previousBest = Number.POSITIVE_INFINITY;
  for (let run = 0; run <= maxRestarts; run++) {
    if (run > 0) restarts++;
    await runOnce(bestU.slice());
    if (budgetHit || targetHit) break;
    if (run > 0 && previousBest - bestValue <= fTol * Math.max(1, Math.abs(bestValue))) break;
    previousBest = bestValue;
  }

  return {
    x: fromUnit(bestU),
    value: bestValue,
    evals,
    restarts,
    iterations,
    stop: targetHit ? 'target' : budgetHit ? 'budget' : 'converged',
  };

  async function runOnce(start: number[]): Promise<void> {
    // Initial simplex: start plus one step along each axis, stepping inwards when at the upper face.
    const pts: number[][] = [start];
    for (let i = 0; i < n; i++) {
      const p = start.slice();
      p[i] = p[i]! + step <= 1 ? p[i]! + step : p[i]! - step;
      pts.push(p);
    }
    const vals: number[] = [];
    for (const p of pts) vals.push(await evalU(p));
    if (budgetHit || targetHit) return;

    let lastBest = Number.POSITIVE_INFINITY;
    let sinceImprove = 0;
    for (;;) {
      if (budgetHit || targetHit) return;
      iterations++;
      const order = pts.map((_, i) => i).sort((a, b) => vals[a]! - vals[b]!);
      const sp = order.map((i) => pts[i]!);
      const sv = order.map((i) => vals[i]!);
      pts.splice(0, pts.length, ...sp);
      vals.splice(0, vals.length, ...sv);

      const best = pts[0]!;
      let xSpread = 0;
      for (const p of pts)
        for (let j = 0; j < n; j++) xSpread = Math.max(xSpread, Math.abs(p[j]! - best[j]!));
      const fSpread = vals[n]! - vals[0]!;
      if (xSpread < xTol && fSpread <= fTol * Math.max(1, Math.abs(vals[0]!))) return;
      if (xSpread < xTol * 1e-3) return; // collapsed simplex, values differ only by noise
      // A piecewise-flat objective (quantiles of a fixed sample move in steps) can leave every
      // vertex on one step: equal values, no direction. Stop after 2n + 2 iterations without a
      // better best value while all values agree; a restart then probes at the full step again.
      if (vals[0]! < lastBest) {
        lastBest = vals[0]!;
        sinceImprove = 0;
      } else sinceImprove++;
      if (fSpread <= fTol * Math.max(1, Math.abs(vals[0]!)) && sinceImprove >= 2 * n + 2) return;

      const centroid = new Array<number>(n).fill(0);
      for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) centroid[j]! += pts[k]![j]! / n;
      const worst = pts[n]!;
      const along = (t: number) => centroid.map((c, j) => clamp01(c + t * (c - worst[j]!)));

      const xr = along(1);
      const fr = await evalU(xr);
      if (budgetHit || targetHit) return;
      if (fr < vals[0]!) {
        const xe = along(2);
        const fe = await evalU(xe);
        if (budgetHit || targetHit) return;
        if (fe < fr) replaceWorst(xe, fe);
        else replaceWorst(xr, fr);
        continue;
      }
      if (fr < vals[n - 1]!) {
        replaceWorst(xr, fr);
        continue;
      }
      // Contraction: outside when the reflection beat the worst, inside otherwise.
      const outside = fr < vals[n]!;
      const xc = along(outside ? 0.5 : -0.5);
      const fc = await evalU(xc);
      if (budgetHit || targetHit) return;
      if (fc < (outside ? fr : vals[n]!)) {
        replaceWorst(xc, fc);
        continue;
      }
      // Shrink towards the best point.
      for (let k = 1; k <= n; k++) {
        pts[k] = pts[k]!.map((v, j) => best[j]! + 0.5 * (v - best[j]!));
        vals[k] = await evalU(pts[k]!);
        if (budgetHit || targetHit) return;
      }
    }

    function replaceWorst(p: number[], v: number) {
      pts[n] = p;
      vals[n] = v;
    }
  }
}
