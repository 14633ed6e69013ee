/**
 * A growable ring buffer of (x, y) number pairs: push at either end, pop at the front. Used for
 * FIFO job queues without allocating an object per job. All operations O(1) amortised.
 */
export class PairDeque {
  private xs: Float64Array;
  private ys: Float64Array;
  private head = 0;
  private count = 0;

  constructor(capacity = 16) {
    let cap = 1;
    while (cap < capacity) cap *= 2;
    this.xs = new Float64Array(cap);
    this.ys = new Float64Array(cap);
  }

  get length(): number {
    return this.count;
  }

  pushBack(x: number, y: number): void {
    if (this.count === this.xs.length) this.grow();
    const i = (this.head + this.count) & (this.xs.length - 1);
    this.xs[i] = x;
    this.ys[i] = y;
    this.count++;
  }

  pushFront(x: number, y: number): void {
    if (this.count === this.xs.length) this.grow();
    this.head = (this.head - 1) & (this.xs.length - 1);
    this.xs[this.head] = x;
    this.ys[this.head] = y;
    this.count++;
  }

  /** x of the front pair (call only when length > 0). */
  frontX(): number {
    return this.xs[this.head]!;
  }

  frontY(): number {
    return this.ys[this.head]!;
  }

  /** x of the i-th pair from the front. */
  xAt(i: number): number {
    return this.xs[(this.head + i) & (this.xs.length - 1)]!;
  }

  popFront(): void {
    this.head = (this.head + 1) & (this.xs.length - 1);
    this.count--;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  private grow(): void {
    const cap = this.xs.length * 2;
    const xs = new Float64Array(cap);
    const ys = new Float64Array(cap);
    for (let i = 0; i < this.count; i++) {
      const j = (this.head + i) & (this.xs.length - 1);
      xs[i] = this.xs[j]!;
      ys[i] = this.ys[j]!;
    }
    this.xs = xs;
    this.ys = ys;
    this.head = 0;
  }
}
