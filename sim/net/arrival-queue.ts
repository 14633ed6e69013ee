/**
 * Packets on their way to one NIC queue, ordered by (arrival time, order of transmission), so the
 * NIC can take every packet that has arrived by `now` in the order the event list would have
 * delivered them (equal times: first transmitted first), without an event per packet (nic.ts).
 *
 * Layout: a ring buffer kept sorted, times and packet slots in two typed arrays. A push walks back
 * from the tail past the entries with a strictly later time (so equal times stay in push order) and
 * shifts them by one; the earliest entry is at the head, so a pop is O(1). Why not a heap: packets
 * leave the wire nearly in order (serialization is FIFO; only the per-packet jitter lets one
 * overtake another), so a push moves few entries (c4.8xlarge at 250k RPS: ~44 in flight per queue,
 * ~9 moved per push on average), while a binary heap paid ~log2(44) levels of unpredictable
 * comparisons on every pop (~4 % of the interpreter's CPU time in the profile).
 *
 * Invariants: time[(head + i) & mask] is non-decreasing in i for 0 <= i < length, and entries with
 * equal times are in push order. Cost: push O(1 + entries with a later time), pop O(1), no
 * allocation once the arrays have grown to the largest number in flight.
 */
export class ArrivalQueue {
  private time = new Float64Array(16);
  private pkt = new Int32Array(16);
  private head = 0;
  private mask = 15;
  length = 0;

  /** Arrival time of the earliest packet; callers test `length` first. */
  minTime(): number {
    return this.time[this.head]!;
  }

  /** Packet slot of the earliest packet; callers test `length` first. */
  minPacket(): number {
    return this.pkt[this.head]!;
  }

  push(t: number, p: number): void {
    if (this.length > this.mask) this.grow();
    const time = this.time;
    const pkt = this.pkt;
    const mask = this.mask;
    const head = this.head;
    let i = this.length++;
    while (i > 0) {
      const prev = (head + i - 1) & mask;
      const pt = time[prev]!;
      if (pt <= t) break;
      const at = (head + i) & mask;
      time[at] = pt;
      pkt[at] = pkt[prev]!;
      i--;
    }
    const at = (head + i) & mask;
    time[at] = t;
    pkt[at] = p;
  }

  /** Removes the earliest entry (read it first with minTime / minPacket). */
  pop(): void {
    this.head = (this.head + 1) & this.mask;
    this.length--;
  }

  private grow(): void {
    const n = this.time.length;
    const time = new Float64Array(2 * n);
    const pkt = new Int32Array(2 * n);
    for (let i = 0; i < this.length; i++) {
      const j = (this.head + i) & this.mask;
      time[i] = this.time[j]!;
      pkt[i] = this.pkt[j]!;
    }
    this.time = time;
    this.pkt = pkt;
    this.head = 0;
    this.mask = 2 * n - 1;
  }
}
