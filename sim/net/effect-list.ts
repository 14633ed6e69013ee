/**
 * The packets whose pending actions (P.act) apply when a CPU's current chunk ends: a stack of
 * packet slots in an Int32Array with an explicit count, so clearing it frees nothing and pushing
 * allocates nothing once it has grown (an `Array` emptied with `length = 0` drops its backing
 * store and re-allocates on the next push).
 *
 * Invariant: items[0..n) are the packets processed by the chunk, in processing order.
 */
export class EffectList {
  items = new Int32Array(64);
  n = 0;

  push(p: number): void {
    if (this.n === this.items.length) {
      const b = new Int32Array(2 * this.n);
      b.set(this.items);
      this.items = b;
    }
    this.items[this.n++] = p;
  }
}
