/**
 * Closed-form results of queueing theory used to check the engine (tests and self-check). Rates are
 * per nanosecond, times in ns. All assume a stable queue (rho < 1) and throw otherwise.
 */

function requireStable(rho: number): void {
  if (!(rho < 1) || !(rho >= 0))
    throw new RangeError(`load rho must be in [0, 1) for a stable queue (got ${rho})`);
}

/** M/M/1 response time is Exp(mu - lambda): mean and q-quantile. */
export function mm1Response(lambda: number, mu: number): { mean: number; quantile: (q: number) => number } {
  requireStable(lambda / mu);
  const r = mu - lambda;
  return { mean: 1 / r, quantile: (q) => -Math.log1p(-q) / r };
}

/** Erlang C: probability that an arrival waits in M/M/c with offered load a = lambda/mu. */
export function erlangC(c: number, lambda: number, mu: number): number {
  const a = lambda / mu;
  requireStable(a / c);
  // Sum a^k/k! iteratively to avoid overflow.
  let term = 1;
  let sum = 0;
  for (let k = 0; k < c; k++) {
    sum += term;
    term *= a / (k + 1);
  }
  const last = (term * c) / (c - a);
  return last / (sum + last);
}

/** M/M/c: P(Wq > t) = C(c, a) e^{-(c mu - lambda) t}; mean wait C / (c mu - lambda). */
export function mmcWait(
  c: number,
  lambda: number,
  mu: number,
): { pWait: number; tail: (t: number) => number; mean: number } {
  const C = erlangC(c, lambda, mu);
  const r = c * mu - lambda;
  return { pWait: C, tail: (t) => C * Math.exp(-r * t), mean: C / r };
}

/** Pollaczek-Khinchine mean wait in M/G/1: lambda E[S^2] / (2 (1 - rho)). */
export function pkMeanWait(lambda: number, meanS: number, secondS: number): number {
  const rho = lambda * meanS;
  requireStable(rho);
  return (lambda * secondS) / (2 * (1 - rho));
}

/**
 * Preemptive-resume priority, Poisson arrivals, one server: mean response of class k (0 = highest),
 *   T_k = E[S_k] / (1 - s_{k-1}) + R_k / ((1 - s_{k-1})(1 - s_k)),  R_k = sum_{i<=k} lambda_i E[S_i^2] / 2,
 * with s_k = sum_{i<=k} rho_i (Kleinrock, Queueing Systems vol. 2, 3.7).
 */
export function preemptivePriorityResponse(
  classes: ReadonlyArray<{ lambda: number; meanS: number; secondS: number }>,
): number[] {
  let sPrev = 0;
  let R = 0;
  return classes.map((c) => {
    const s = sPrev + c.lambda * c.meanS;
    requireStable(s);
    R += (c.lambda * c.secondS) / 2;
    const t = c.meanS / (1 - sPrev) + R / ((1 - sPrev) * (1 - s));
    sPrev = s;
    return t;
  });
}

/** Two M/M/1 stages in tandem: P(T > t) = (b e^{-a t} - a e^{-b t}) / (b - a), a = mu1 - lambda, b = mu2 - lambda. */
export function tandemSojournTail(lambda: number, mu1: number, mu2: number): (t: number) => number {
  requireStable(lambda / mu1);
  requireStable(lambda / mu2);
  const a = mu1 - lambda;
  const b = mu2 - lambda;
  if (Math.abs(b - a) < 1e-12 * Math.max(a, b)) return (t) => (1 + a * t) * Math.exp(-a * t); // Erlang-2 limit
  return (t) => (b * Math.exp(-a * t) - a * Math.exp(-b * t)) / (b - a);
}

/** Quantile of the tandem sojourn time by bisection on the tail. */
export function tandemSojournQuantile(lambda: number, mu1: number, mu2: number, q: number): number {
  const tail = tandemSojournTail(lambda, mu1, mu2);
  let lo = 0;
  let hi = 1 / Math.min(mu1 - lambda, mu2 - lambda);
  while (tail(hi) > 1 - q) hi *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (tail(mid) > 1 - q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** M/M/1/K blocking probability (K = capacity including the one in service). */
export function mm1kBlocking(lambda: number, mu: number, K: number): number {
  const rho = lambda / mu;
  if (Math.abs(rho - 1) < 1e-12) return 1 / (K + 1);
  return ((1 - rho) * rho ** K) / (1 - rho ** (K + 1));
}
