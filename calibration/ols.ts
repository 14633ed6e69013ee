/**
 * Ordinary least squares with standard errors, on mathjs matrices.
 *
 *   beta = (X'X)^-1 X'y,  s^2 = |y - X beta|^2 / (n - p),  se_j = sqrt(s^2 [(X'X)^-1]_jj)
 *
 * Invariants: n > p (otherwise the residual variance is undefined and this throws); X has full column
 * rank (a singular X'X throws, naming the columns, rather than returning meaningless numbers).
 * Cost: O(n p^2 + p^3); p is 2 or 3 here.
 */
import { det, inv, multiply, transpose } from 'mathjs';

export interface OlsResult {
  coef: number[];
  se: number[];
  /** Residual standard deviation. */
  sigma: number;
  r2: number;
  dof: number;
}

export function ols(
  X: readonly (readonly number[])[],
  y: readonly number[],
  names?: readonly string[],
): OlsResult {
  const n = y.length;
  const p = X[0]?.length ?? 0;
  if (X.length !== n) throw new RangeError(`ols: ${X.length} rows of X for ${n} observations`);
  if (p === 0) throw new RangeError('ols: no columns');
  if (n <= p)
    throw new RangeError(`ols: ${n} observations cannot fit ${p} coefficients with an error estimate`);
  const Xm = X.map((r) => [...r]);
  const Xt = transpose(Xm) as number[][];
  const XtX = multiply(Xt, Xm) as number[][];
  // Scale-free singularity test: determinant of the correlation-like normalised X'X.
  const d = XtX.map((r, i) => Math.sqrt(r[i] ?? 0));
  const norm = XtX.map((r, i) => r.map((v, j) => v / ((d[i] ?? 1) * (d[j] ?? 1) || 1)));
  if (d.some((v) => v === 0) || Math.abs(det(norm) as number) < 1e-10)
    throw new RangeError(`ols: columns ${names ? names.join(', ') : ''} are collinear (X'X singular)`);
  const XtXinv = inv(XtX) as number[][];
  const beta = multiply(XtXinv, multiply(Xt, [...y]) as number[]) as number[];
  const fitted = Xm.map((r) => r.reduce((s, v, j) => s + v * (beta[j] ?? 0), 0));
  const rss = y.reduce((s, v, i) => s + (v - fitted[i]!) ** 2, 0);
  const mean = y.reduce((s, v) => s + v, 0) / n;
  const tss = y.reduce((s, v) => s + (v - mean) ** 2, 0);
  const s2 = rss / (n - p);
  return {
    coef: beta,
    se: beta.map((_, j) => Math.sqrt(s2 * (XtXinv[j]?.[j] ?? Number.NaN))),
    sigma: Math.sqrt(s2),
    r2: tss > 0 ? 1 - rss / tss : 1,
    dof: n - p,
  };
}
