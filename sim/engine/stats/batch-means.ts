/**
 * Non-overlapping batch means for one long run: split the (warm-up-deleted) series into `batches`
 * equal batches, take each batch's mean, and treat those as approximately i.i.d. normal (true when
 * a batch is much longer than the series' correlation time) for a Student t interval. 10-30
 * batches is the usual choice; leftover observations at the end are dropped.
 */
import { type Interval, meanInterval } from './confidence.ts';

export function batchMeans(series: ArrayLike<number>, batches = 20, level = 0.95): Interval {
  if (!Number.isInteger(batches) || batches < 2)
    throw new RangeError(`batches must be a whole number >= 2 (got ${batches})`);
  const size = Math.floor(series.length / batches);
  if (size < 1)
    throw new RangeError(`series too short for ${batches} batches (got ${series.length} observations)`);
  const means: number[] = [];
  for (let b = 0; b < batches; b++) {
    let s = 0;
    for (let i = 0; i < size; i++) s += series[b * size + i]!;
    means.push(s / size);
  }
  return meanInterval(means, level);
}
