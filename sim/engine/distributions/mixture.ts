/**
 * Mixture: picks component i with probability weight_i / sum(weights) (one draw from `source`),
 * then returns that component's sample. Components bring their own sources.
 */
import type { Source } from '../rng.ts';

export interface MixtureComponent {
  weight: number;
  sample: () => number;
}

export function mixture(source: Source, components: readonly MixtureComponent[]): () => number {
  if (components.length === 0) throw new RangeError('components must not be empty (got [])');
  const n = components.length;
  const cum = new Float64Array(n);
  const samples = components.map((c) => c.sample);
  let total = 0;
  components.forEach((c, i) => {
    if (!(c.weight >= 0) || !Number.isFinite(c.weight))
      throw new RangeError(`components[${i}].weight must be >= 0 and finite (got ${c.weight})`);
    total += c.weight;
    cum[i] = total;
  });
  if (!(total > 0)) throw new RangeError(`component weights must not all be 0 (got sum ${total})`);
  return () => {
    const u = source() * total;
    let i = 0;
    while (i < n - 1 && cum[i]! <= u) i++;
    return samples[i]!();
  };
}
