/**
 * Parameter uncertainty from the loss profile at the optimum, one axis at a time.
 *
 * The loss is 0.5 * sum (d/sigma)^2, a negative log-likelihood up to a constant, so the set of values
 * of one parameter whose loss is within 0.5 of the optimum is its one-standard-deviation interval.
 * The censored loss is flat inside the measurement buckets, so the curvature at the optimum is often
 * zero: a Hessian would report infinite certainty or fail. Walking each axis until the loss has risen
 * by 0.5 handles the flat part correctly: the interval then includes every value the quantised
 * measurement cannot tell apart.
 *
 * Limits (stated in docs/calibration.md): intervals are conditional on the other parameters at their
 * optimum (not profiled), so they understate the uncertainty of correlated parameters; a parameter
 * whose loss never rises by 0.5 inside its bounds gets the bound as its interval edge (unidentified).
 *
 * Cost: per parameter and side, up to `expandSteps` evaluations to bracket the crossing plus
 * `bisections` to locate it.
 */
export interface AxisInterval {
  lower: number;
  upper: number;
  /** Half the interval width, in the parameter's unit: reported as sd. */
  sd: number;
  /** True when the loss did not rise by delta before a bound on at least one side. */
  hitBound: boolean;
  /** False when the evaluation budget ran out before this parameter's walk finished. */
  complete: boolean;
}

export interface AxisOptions {
  delta?: number;
  /** First step in unit-cube coordinates; default 0.01. */
  firstStep?: number;
  expandSteps?: number;
  bisections?: number;
  /** Most loss evaluations for all parameters together; default unlimited. */
  maxEvals?: number;
}

/**
 * `lossAtUnit(i, u)` evaluates the loss with parameter i moved to unit coordinate u (others at the
 * optimum); `fromUnit(i, u)` maps that coordinate back to the parameter's value.
 */
export async function axisIntervals(
  uOpt: readonly number[],
  lossOpt: number,
  lossAtUnit: (i: number, u: number) => Promise<number>,
  fromUnit: (i: number, u: number) => number,
  opts: AxisOptions = {},
): Promise<AxisInterval[]> {
  const delta = opts.delta ?? 0.5;
  const first = opts.firstStep ?? 0.01;
  const expand = opts.expandSteps ?? 6;
  const bis = opts.bisections ?? 4;
  const maxEvals = opts.maxEvals ?? Number.POSITIVE_INFINITY;
  let evals = 0;
  let exhausted = false;
  const lossAt = async (i: number, u: number): Promise<number> => {
    if (evals >= maxEvals) {
      exhausted = true;
      return Number.NEGATIVE_INFINITY; // treated as "still inside": the walk ends at the last point reached
    }
    evals++;
    return lossAtUnit(i, u);
  };
  const out: AxisInterval[] = [];
  for (let i = 0; i < uOpt.length; i++) {
    const before = exhausted;
    const u0 = uOpt[i]!;
    const target = lossOpt + delta;
    let hitBound = false;
    const edge = async (dir: 1 | -1): Promise<number> => {
      let inside = u0;
      let step = first;
      for (let k = 0; k < expand; k++) {
        if (exhausted) return inside;
        const u = Math.min(1, Math.max(0, u0 + dir * step));
        const l = await lossAt(i, u);
        if (l >= target) return bisect(inside, u);
        inside = u;
        if (u === 0 || u === 1) {
          hitBound = true;
          return u;
        }
        step *= 3;
      }
      hitBound = true;
      return inside;
    };
    const bisect = async (inside: number, outside: number): Promise<number> => {
      for (let k = 0; k < bis; k++) {
        const mid = (inside + outside) / 2;
        if ((await lossAt(i, mid)) >= target) outside = mid;
        else inside = mid;
      }
      return (inside + outside) / 2;
    };
    const uLo = await edge(-1);
    const uHi = await edge(1);
    const lower = fromUnit(i, uLo);
    const upper = fromUnit(i, uHi);
    out.push({ lower, upper, sd: Math.abs(upper - lower) / 2, hitBound, complete: !before && !exhausted });
  }
  return out;
}
