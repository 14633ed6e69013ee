/**
 * Latency histogram: a thin wrapper over hdr-histogram-js's WebAssembly build (about 7x faster to
 * record than its JS build on these machines).
 *
 * Unit and range: values are recorded as whole NANOSECONDS (fractions are rounded), tracked from
 * 1 ns to 200 s (2e11 ns) at 3 significant digits: every value from 1 us up is held within 0.1 %
 * (values below 2048 ns exactly). Values above 200 s are clamped to 200 s and counted in `clamped`.
 * Besides the HDR counts the wrapper keeps the exact sum of recorded values (integers, so the sum is
 * exact and order-independent below 2^53 ns, about 104 days of summed latency), so `mean` is exact.
 *
 * Merging (`add`) adds counts: exact and independent of order. `encode`/`decode` give a plain
 * object (compressed base64 + sum) that crosses worker_threads boundaries.
 *
 * Recording path: `record` does not call into WASM per value. It computes the value's HDR counts
 * index in JS (the same arithmetic as hdr-histogram-js: bucket = max(floor(log2 v) - 10, 0),
 * sub-bucket = floor(v / 2^bucket)) and increments a JS-side count; the pending counts are added
 * to the WASM histogram (one recordValueWithCount per non-empty bucket, at the bucket's lowest
 * equivalent value, which maps back to the same bucket) before anything reads it. The result is
 * identical to recording each value directly (a test checks quantiles across the whole range);
 * recording costs a few ns instead of ~20. The exact min and max are kept on the side. `record`
 * rounds with a floor and a 0/1 correction (Math.round's result without its unpredictable branch)
 * and keeps its rare paths (throw, clamp, first allocation, values over 2^32 ns) in helpers, so that
 * V8 inlines it into the caller: a call it does not inline boxes the value into a heap number.
 *
 * Memory: each histogram holds ~120 KB inside the WASM heap, which the JS garbage collector does not
 * see, plus ~240 KB of pending counts in the JS heap. Call `destroy()` when done; a
 * FinalizationRegistry frees forgotten ones eventually.
 */
import * as hdr from 'hdr-histogram-js';

hdr.initWebAssemblySync();

export const HISTOGRAM_LOWEST_NS = 1;
export const HISTOGRAM_HIGHEST_NS = 200e9;
export const HISTOGRAM_DIGITS = 3;

// HDR layout for (lowest 1, 3 digits): unit magnitude 0, 1024 half sub-buckets (magnitude 10);
// 28 buckets reach 2048 * 2^27 > 2e11, and the counts array has (28 + 1) * 1024 entries.
const SUB_HALF_MAG = 10;
const SUB_HALF = 1 << SUB_HALF_MAG;
const COUNTS_LENGTH = 29 * SUB_HALF;
const TWO32 = 2 ** 32;

/**
 * HDR counts index of an integer value 0 <= v <= 2e11 (same as hdr-histogram-js countsArrayIndex):
 * bucket = max(floor(log2 v) - 10, 0), index = bucket * 1024 + floor(v / 2^bucket). Values below
 * 2^32 take the 32-bit path (clz32 and a shift; v = 0 gives log2 = -1, bucket 0); larger ones are
 * rare (over 4.3 s) and go out of line, which keeps this small enough for V8 to inline.
 */
export function hdrIndex(v: number): number {
  if (v >= TWO32) return hdrIndexLarge(v);
  const bucket = Math.max(31 - Math.clz32(v) - SUB_HALF_MAG, 0);
  return bucket * SUB_HALF + (v >>> bucket);
}

function hdrIndexLarge(v: number): number {
  const bucket = 63 - Math.clz32(Math.floor(v / TWO32)) - SUB_HALF_MAG;
  return bucket * SUB_HALF + Math.floor(v / 2 ** bucket);
}

/** Lowest value held by counts index i (hdr-histogram-js valueFromIndex). */
export function hdrValueFromIndex(i: number): number {
  let bucket = Math.floor(i / SUB_HALF) - 1;
  let sub = (i % SUB_HALF) + SUB_HALF;
  if (bucket < 0) {
    sub -= SUB_HALF;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}

/** A histogram in transit between threads. */
export interface EncodedHistogram {
  hdr: string;
  count: number;
  sum_ns: number;
  clamped: number;
  /** Exact extremes of the recorded values (HDR keeps them only to 3 digits across encoding). */
  min_ns: number;
  max_ns: number;
}

function badValue(value_ns: number): never {
  throw new RangeError(`histogram value must be >= 0 ns (got ${value_ns})`);
}

const registry = new FinalizationRegistry<hdr.Histogram>((h) => h.destroy());

export class Histogram {
  private h: hdr.Histogram;
  private sum = 0;
  private n = 0;
  private clampedCount = 0;
  private minV = Number.POSITIVE_INFINITY;
  private maxV = 0;
  private destroyed = false;
  /** Counts not yet added to the WASM histogram, by HDR index; allocated on first record. */
  private pending: Float64Array | null = null;
  private dirty = false;

  constructor(inner?: hdr.Histogram) {
    this.h =
      inner ??
      hdr.build({
        useWebAssembly: true,
        bitBucketSize: 32,
        lowestDiscernibleValue: HISTOGRAM_LOWEST_NS,
        highestTrackableValue: HISTOGRAM_HIGHEST_NS,
        numberOfSignificantValueDigits: HISTOGRAM_DIGITS,
        autoResize: false,
      });
    registry.register(this, this.h, this);
  }

  /** Records one value in nanoseconds (rounded to an integer; negative values throw). */
  record(value_ns: number): void {
    // Math.round(x) >= 0 exactly when x >= -0.5; then floor(x + 0.5) would round 0.49999999999999994
    // up, so round as the simulator does (floor plus a 0/1 correction).
    if (!(value_ns >= -0.5)) badValue(value_ns);
    const f = Math.floor(value_ns);
    let v = f + +(value_ns - f >= 0.5);
    if (v > HISTOGRAM_HIGHEST_NS) v = this.clamp();
    this.sum += v;
    this.n++;
    if (v > this.maxV) this.maxV = v;
    if (v < this.minV) this.minV = v;
    const p = this.pending ?? this.allocPending();
    p[hdrIndex(v)]!++;
    this.dirty = true;
  }

  private clamp(): number {
    this.clampedCount++;
    return HISTOGRAM_HIGHEST_NS;
  }

  private allocPending(): Float64Array {
    this.pending = new Float64Array(COUNTS_LENGTH);
    return this.pending;
  }

  /** Records `count` copies of a value. */
  recordN(value_ns: number, count: number): void {
    let v = Math.round(value_ns);
    if (!(v >= 0)) throw new RangeError(`histogram value must be >= 0 ns (got ${value_ns})`);
    if (!(count >= 0 && Number.isInteger(count)))
      throw new RangeError(`count must be a whole number >= 0 (got ${count})`);
    if (v > HISTOGRAM_HIGHEST_NS) {
      v = HISTOGRAM_HIGHEST_NS;
      this.clampedCount += count;
    }
    if (count === 0) return;
    this.sum += v * count;
    this.n += count;
    if (v > this.maxV) this.maxV = v;
    if (v < this.minV) this.minV = v;
    let p = this.pending;
    if (p === null) {
      p = new Float64Array(COUNTS_LENGTH);
      this.pending = p;
    }
    p[hdrIndex(v)]! += count;
    this.dirty = true;
  }

  /** Adds the pending JS-side counts to the WASM histogram. */
  private flush(): void {
    if (!this.dirty) return;
    const p = this.pending!;
    for (let i = 0; i < COUNTS_LENGTH; i++) {
      const c = p[i]!;
      if (c > 0) {
        this.h.recordValueWithCount(hdrValueFromIndex(i), c);
        p[i] = 0;
      }
    }
    this.dirty = false;
  }

  get count(): number {
    return this.n;
  }

  /** Exact mean of the recorded (rounded) values, ns; NaN when empty. */
  get mean(): number {
    return this.n > 0 ? this.sum / this.n : Number.NaN;
  }

  get sum_ns(): number {
    return this.sum;
  }

  /** Exact largest recorded value, ns (0 when empty). */
  get max(): number {
    return this.maxV;
  }

  /** Exact smallest recorded value, ns (NaN when empty). */
  get min(): number {
    return this.n > 0 ? this.minV : Number.NaN;
  }

  get clamped(): number {
    return this.clampedCount;
  }

  /**
   * Value at quantile q in [0, 1], ns: the smallest recorded value v (to 3 significant digits, HDR's
   * highest equivalent value of its bucket) with at least q of the count at or below it; q = 1 is the max.
   * Never above the exact max: the bucket holding the max may reach past it (by < 0.1 %), and a
   * percentile printed above the max reads as an error.
   */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`q must be in [0, 1] (got ${q})`);
    if (this.n === 0) return Number.NaN;
    if (q === 1) return this.maxV;
    this.flush();
    return Math.min(this.h.getValueAtPercentile(q * 100), this.maxV);
  }

  /** Adds another histogram's counts into this one (exact). */
  add(other: Histogram): void {
    this.flush();
    other.flush();
    this.h.add(other.h);
    this.sum += other.sum;
    this.n += other.n;
    this.clampedCount += other.clampedCount;
    if (other.maxV > this.maxV) this.maxV = other.maxV;
    if (other.minV < this.minV) this.minV = other.minV;
  }

  /** A new histogram holding the sum of the given ones (added in the order given). */
  static merge(parts: readonly Histogram[]): Histogram {
    const out = new Histogram();
    for (const p of parts) out.add(p);
    return out;
  }

  reset(): void {
    this.h.reset();
    this.pending?.fill(0);
    this.dirty = false;
    this.sum = 0;
    this.n = 0;
    this.clampedCount = 0;
    this.minV = Number.POSITIVE_INFINITY;
    this.maxV = 0;
  }

  encode(): EncodedHistogram {
    this.flush();
    return {
      hdr: hdr.encodeIntoCompressedBase64(this.h),
      count: this.n,
      sum_ns: this.sum,
      clamped: this.clampedCount,
      min_ns: this.n > 0 ? this.minV : 0,
      max_ns: this.maxV,
    };
  }

  static decode(e: EncodedHistogram): Histogram {
    const inner = hdr.decodeFromCompressedBase64(e.hdr, 32, true);
    // The decoded histogram may come back with a smaller range; copy into one of the standard range.
    const out = new Histogram();
    out.h.add(inner);
    inner.destroy();
    if (out.h.totalCount !== e.count)
      throw new RangeError(`encoded histogram holds ${out.h.totalCount} values, its header says ${e.count}`);
    out.sum = e.sum_ns;
    out.n = e.count;
    out.clampedCount = e.clamped;
    out.minV = e.count > 0 ? e.min_ns : Number.POSITIVE_INFINITY;
    out.maxV = e.max_ns;
    return out;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    registry.unregister(this);
    this.h.destroy();
  }
}
