/**
 * Exponential with the given rate by Marsaglia and Tsang's ziggurat (2000), in Doornik's form
 * (2005: the layer index and the position in the layer come from separate bits). Same distribution
 * as `exponential`, different values: a model switching to it gets a different (equally valid)
 * sample path.
 *
 * Layout: 256 layers of equal area V under e^{-x}. Layer 0 is the base strip [0, r) x [0, e^{-r}]
 * plus the tail beyond r, drawn as a rectangle of virtual width X[0] = V e^{r}; layer i >= 1 spans
 * heights e^{-X[i]} .. e^{-X[i+1]} and widths 0 .. X[i], with X[1] = r > X[2] > ... > X[256] = 0.
 * One uniform U = k / 2^32 gives both: i = the top 8 bits of k, u = the low 24 bits / 2^24 (for a
 * source with more bits, all of them below the top 8). x = u X[i] lies under the curve for sure
 * when u < X[i+1] / X[i] (97.8 % of draws: the mean of those ratios), and is then returned with no
 * log or exp. Otherwise layer 0 returns r plus a fresh Exp(1) by inversion (the tail is memoryless),
 * and the other layers accept x when a uniform height in the layer falls under e^{-x}, else
 * everything is drawn anew.
 * Exact in distribution up to the 24-bit grid within a layer (step X[i] / 2^24 <= 5.2e-7 of the
 * mean) and to the double rounding of the tables.
 *
 * Cost: the fast path is a multiply, a truncation, two table reads and a compare on top of the
 * uniform draw, against a call into V8's C log (~10 ns) for inversion; in a loop of draws alone it
 * measured ~8.5 ns a draw against ~21 ns for `exponential`. The slow path (2.2 % of draws) costs an
 * exp or a log and one or two more uniforms. For a `createStream` source the fast path calls the
 * AleaStream directly (see rng.ts).
 */
import { aleaOf, type Source } from '../rng.ts';
import { requirePositive } from './check.ts';

/** Marsaglia and Tsang's constants for 256 layers: the base strip's right edge and the layer area. */
export const ZIGGURAT_EXP_R = 7.69711747013105;
export const ZIGGURAT_EXP_V = 0.003949659822581557;
const LAYERS = 256;

/** Layer widths X[0..256], heights F[i] = e^{-X[i]} (F[0] = e^{-r}), ratios Q[i] = X[i+1] / X[i]. */
const X = new Float64Array(LAYERS + 1);
const F = new Float64Array(LAYERS + 1);
const Q = new Float64Array(LAYERS);
{
  const r = ZIGGURAT_EXP_R;
  const v = ZIGGURAT_EXP_V;
  X[0] = v / Math.exp(-r);
  X[1] = r;
  for (let i = 2; i < LAYERS; i++) X[i] = -Math.log(v / X[i - 1]! + Math.exp(-X[i - 1]!));
  X[LAYERS] = 0;
  F[0] = Math.exp(-r);
  for (let i = 1; i <= LAYERS; i++) F[i] = Math.exp(-X[i]!);
  for (let i = 0; i < LAYERS; i++) Q[i] = X[i + 1]! / X[i]!;
}

/** The tables, for tests: widths, heights and fast-path ratios as described above (copies). */
export function zigguratExpTables(): { x: Float64Array; f: Float64Array; q: Float64Array } {
  return { x: X.slice(), f: F.slice(), q: Q.slice() };
}

/**
 * The slow path, entered with layer i and position u of a draw that missed the fast test: the
 * tail or wedge test for it, then fresh draws (fast test first) until one is accepted. Returns Exp(1)
 * units. Out of line so that the fast path stays small enough for V8 to inline into its callers.
 */
function slowPath(i: number, u: number, source: Source): number {
  for (;;) {
    if (i === 0) return ZIGGURAT_EXP_R - Math.log(1 - source());
    const x = u * X[i]!;
    const lo = F[i]!;
    if (lo + source() * (F[i + 1]! - lo) < Math.exp(-x)) return x;
    const w = source() * LAYERS;
    i = w | 0;
    u = w - i;
    if (u < Q[i]!) return u * X[i]!;
  }
}

export function exponentialZiggurat(source: Source, rate: number): () => number {
  requirePositive('rate', rate);
  const scale = 1 / rate;
  const g = aleaOf(source);
  // The slow path is multiplied on its own branch: a ternary over both branches would merge a double
  // with the call's untyped result, and V8 would then box every fast-path draw into a heap number.
  if (g !== undefined)
    return () => {
      const w = g.next() * LAYERS;
      const i = w | 0;
      const u = w - i;
      if (u < Q[i]!) return u * X[i]! * scale;
      return slowPath(i, u, source) * scale;
    };
  return () => {
    const w = source() * LAYERS;
    const i = w | 0;
    const u = w - i;
    if (u < Q[i]!) return u * X[i]! * scale;
    return slowPath(i, u, source) * scale;
  };
}
