/**
 * Interval ends on a log axis. A confidence interval's lower end can be 0 (the simulator clamps
 * at 0), which has no place on a log axis and makes the browser draw NaN coordinates. The axis
 * starts at `floor` (below the smallest estimate) and lower ends beneath it are drawn at the floor,
 * i.e. "reaches below the axis"; the tooltip keeps the true value.
 */
export function logFloor(estimates: readonly number[]): number {
  const positive = estimates.filter((v) => v > 0 && Number.isFinite(v));
  return positive.length > 0 ? Math.min(...positive) / 1.5 : 0.001;
}

export function clampToFloor(v: number, floor: number): number {
  return Math.max(Number.isFinite(v) ? v : floor, floor);
}
