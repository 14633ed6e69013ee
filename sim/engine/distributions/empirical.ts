/**
 * Empirical (discrete) distribution over the given values with optional non-negative weights
 * (equal weights by default), by binary search on the cumulative weights: O(log n) per draw.
 */
import type { Source } from '../rng.ts';

export function empirical(
  source: Source,
  values: readonly number[],
  weights?: readonly number[],
): () => number {
  if (values.length === 0) throw new RangeError('values must not be empty (got [])');
  if (weights !== undefined && weights.length !== values.length)
    throw new RangeError(`weights must have ${values.length} entries like values (got ${weights.length})`);
  const n = values.length;
  const vals = Float64Array.from(values);
  for (let i = 0; i < n; i++)
    if (!Number.isFinite(vals[i]!)) throw new RangeError(`values[${i}] must be finite (got ${values[i]})`);
  const cum = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i]! : 1;
    if (!(w >= 0) || !Number.isFinite(w))
      throw new RangeError(`weights[${i}] must be >= 0 and finite (got ${w})`);
    total += w;
    cum[i] = total;
  }
  if (!(total > 0)) throw new RangeError(`weights must not all be 0 (got sum ${total})`);
  return () => {
    const u = source() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return vals[lo]!;
  };
}
