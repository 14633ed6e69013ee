/**
 * Time-weighted average of a piecewise-constant quantity (queue length, busy servers): the
 * integral of the value over time divided by the elapsed time since the last reset. Call `set`
 * whenever the value changes. O(1) per change.
 */
export class TimeWeighted {
  // Initialised with numbers (then set by the constructor): a field declared without an initialiser
  // starts as undefined, and V8 then boxes every double stored into it in a fresh heap number.
  private value = 0;
  private last = 0;
  private start = 0;
  private area = 0;
  private peak = 0;

  constructor(now_ns: number, initial = 0) {
    this.value = initial;
    this.last = this.start = now_ns;
    this.peak = initial;
  }

  set(now_ns: number, value: number): void {
    if (now_ns < this.last) throw new RangeError(`time must not go back: ${now_ns} < ${this.last}`);
    this.area += (now_ns - this.last) * this.value;
    this.last = now_ns;
    this.value = value;
    if (value > this.peak) this.peak = value;
  }

  add(now_ns: number, delta: number): void {
    this.set(now_ns, this.value + delta);
  }

  get current(): number {
    return this.value;
  }

  get max(): number {
    return this.peak;
  }

  /** Integral of the value from the last reset to `now_ns`. */
  integral(now_ns: number): number {
    return this.area + (now_ns - this.last) * this.value;
  }

  mean(now_ns: number): number {
    const el = now_ns - this.start;
    return el > 0 ? this.integral(now_ns) / el : this.value;
  }

  /** Starts a new averaging period at `now_ns`, keeping the current value. */
  reset(now_ns: number): void {
    this.area = 0;
    this.last = this.start = now_ns;
    this.peak = this.value;
  }
}
