/**
 * Packets on their way to one NIC queue, ordered by (arrival time, sequence of transmission): a
 * binary min-heap in typed arrays, so the NIC can take every packet that has arrived by `now` in
 * the order the event list would have delivered them (equal times: first transmitted first), without
 * an event per packet (nic.ts).
 *
 * Invariants: the heap property on (time, seq); seq grows by one per push, so the order is total.
 * Cost: push and pop O(log n) for n packets in flight to the queue (a handful), no allocation once
 * the arrays have grown to the largest number in flight.
 */
export class ArrivalHeap {
  private time = new Float64Array(16);
  private seq = new Float64Array(16);
  private pkt = new Int32Array(16);
  private nextSeq = 0;
  length = 0;

  /** Arrival time of the earliest packet; callers test `length` first. */
  minTime(): number {
    return this.time[0]!;
  }

  /** Packet slot of the earliest packet; callers test `length` first. */
  minPacket(): number {
    return this.pkt[0]!;
  }

  push(t: number, p: number): void {
    if (this.length === this.time.length) this.grow();
    const time = this.time;
    const seq = this.seq;
    const pkt = this.pkt;
    const s = this.nextSeq++;
    // The new entry has the largest sequence so far: it rises only above strictly later parents.
    let i = this.length++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (time[parent]! <= t) break;
      time[i] = time[parent]!;
      seq[i] = seq[parent]!;
      pkt[i] = pkt[parent]!;
      i = parent;
    }
    time[i] = t;
    seq[i] = s;
    pkt[i] = p;
  }

  /** Removes the earliest entry (read it first with minTime / minPacket). */
  pop(): void {
    const n = --this.length;
    if (n === 0) return;
    const time = this.time;
    const seq = this.seq;
    const pkt = this.pkt;
    const t = time[n]!;
    const s = seq[n]!;
    const p = pkt[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (time[r]! < time[c]! || (time[r] === time[c] && seq[r]! < seq[c]!))) c = r;
      if (t < time[c]! || (t === time[c] && s < seq[c]!)) break;
      time[i] = time[c]!;
      seq[i] = seq[c]!;
      pkt[i] = pkt[c]!;
      i = c;
    }
    time[i] = t;
    seq[i] = s;
    pkt[i] = p;
  }

  private grow(): void {
    const n = 2 * this.time.length;
    const time = new Float64Array(n);
    const seq = new Float64Array(n);
    const pkt = new Int32Array(n);
    time.set(this.time);
    seq.set(this.seq);
    pkt.set(this.pkt);
    this.time = time;
    this.seq = seq;
    this.pkt = pkt;
  }
}
