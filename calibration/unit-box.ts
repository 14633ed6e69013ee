/**
 * Maps a box of parameter bounds (linear or logarithmic per coordinate) onto the unit cube and back.
 * Optimisers and the uncertainty walk work in the cube so that one step means the same fraction of
 * every parameter's range. Points outside the cube are clamped onto it.
 */
export interface Bound {
  lower: number;
  upper: number;
  log?: boolean;
}

export function clamp01(u: number): number {
  return Math.min(1, Math.max(0, u));
}

export function toUnit1(b: Bound, v: number): number {
  const u = b.log
    ? (Math.log(v) - Math.log(b.lower)) / (Math.log(b.upper) - Math.log(b.lower))
    : (v - b.lower) / (b.upper - b.lower);
  return clamp01(u);
}

export function fromUnit1(b: Bound, u: number): number {
  const c = clamp01(u);
  return b.log
    ? Math.exp(Math.log(b.lower) + c * (Math.log(b.upper) - Math.log(b.lower)))
    : b.lower + c * (b.upper - b.lower);
}
