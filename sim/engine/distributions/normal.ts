/**
 * Normal(mu, sigma) by the Marsaglia polar method (as d3-random): two uniforms per accepted pair,
 * acceptance probability pi/4; the second variate of each pair is kept for the next call.
 *
 * The spare variate lives in a numeric field of a small object, not in a variable captured by the
 * returned closure: V8 boxes every double stored into a captured variable in a fresh heap number,
 * a field initialised with a number is updated in place. Same draws, same values.
 */
import type { Source } from '../rng.ts';
import { requireFinite, requireNonNegative } from './check.ts';

class PolarNormal {
  private spare = 0;
  private hasSpare = false;

  constructor(
    private readonly source: Source,
    private readonly mu: number,
    private readonly sigma: number,
  ) {}

  next(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.mu + this.sigma * this.spare;
    }
    const source = this.source;
    let x: number;
    let y: number;
    let r: number;
    do {
      x = 2 * source() - 1;
      y = 2 * source() - 1;
      r = x * x + y * y;
    } while (r === 0 || r >= 1);
    const f = Math.sqrt((-2 * Math.log(r)) / r);
    this.spare = y * f;
    this.hasSpare = true;
    return this.mu + this.sigma * x * f;
  }
}

export function normal(source: Source, mu: number, sigma: number): () => number {
  requireFinite('mu', mu);
  requireNonNegative('sigma', sigma);
  const n = new PolarNormal(source, mu, sigma);
  return () => n.next();
}
