/**
 * A growable ring buffer of numbers (double storage: packet slots, task ids, poll items and
 * nanosecond times all fit): push and shift at either end in O(1), no allocation once it has grown
 * to the largest length it ever held. Replaces `Array.prototype.shift` on the hot path, which moves
 * the elements or re-allocates the array's backing store.
 *
 * Invariants: 0 <= length <= capacity; capacity is a power of two; element i (0 = front) sits at
 * buf[(head + i) & mask].
 */
export class IntQueue {
  private buf: Float64Array;
  private mask: number;
  private head = 0;
  length = 0;

  constructor(capacity = 8) {
    let cap = 8;
    while (cap < capacity) cap *= 2;
    this.buf = new Float64Array(cap);
    this.mask = cap - 1;
  }

  /** Element at the front; undefined behaviour when empty (callers test `length`). */
  front(): number {
    return this.buf[this.head]!;
  }

  push(v: number): void {
    if (this.length > this.mask) this.grow();
    this.buf[(this.head + this.length) & this.mask] = v;
    this.length++;
  }

  /** Adds at the front. */
  unshift(v: number): void {
    if (this.length > this.mask) this.grow();
    this.head = (this.head - 1) & this.mask;
    this.buf[this.head] = v;
    this.length++;
  }

  /** Removes and returns the front element; callers test `length` first. */
  shift(): number {
    const v = this.buf[this.head]!;
    this.head = (this.head + 1) & this.mask;
    this.length--;
    return v;
  }

  private grow(): void {
    const n = this.buf.length;
    const b = new Float64Array(2 * n);
    for (let i = 0; i < this.length; i++) b[i] = this.buf[(this.head + i) & this.mask]!;
    this.buf = b;
    this.mask = 2 * n - 1;
    this.head = 0;
  }
}
