/**
 * Packets as slots in parallel typed arrays (struct of arrays), recycled through a free list, and
 * intrusive FIFOs linked through `next`: no object is allocated per packet. Memory grows with the
 * largest number of packets alive at once (in queues, on the wire, in chunks), never with run length.
 * Fields: connection, kind (request/response/ACK), direction (tx/rx path), host where it is,
 * stage index in its path, frames (MSS segments), payload bytes, retransmissions so far, pending
 * action and its argument (applied when the chunk processing it ends), CPU it was last processed on,
 * t0 (the tcpkali write time carried by request and response), sched (the time the request was
 * scheduled to be sent, carried the same way), burstPos (its position in the generator's burst, the
 * same way), ready (time it entered its queue).
 * Cost: alloc, release, push and pop are O(1) with no allocation once the arrays have grown.
 */
export class PacketPool {
  cap = 0;
  conn = new Int32Array(0);
  kind = new Uint8Array(0);
  dir = new Uint8Array(0);
  host = new Uint8Array(0);
  stage = new Int16Array(0);
  frames = new Uint16Array(0);
  bytes = new Int32Array(0);
  retries = new Uint8Array(0);
  act = new Uint8Array(0);
  actArg = new Int32Array(0);
  next = new Int32Array(0);
  cpu = new Int32Array(0);
  t0 = new Float64Array(0);
  sched = new Float64Array(0);
  burstPos = new Int32Array(0);
  ready = new Float64Array(0);
  private free: number[] = [];
  live = 0;
  created = 0;

  alloc(): number {
    if (this.free.length === 0) this.grow();
    this.live++;
    this.created++;
    const p = this.free.pop()!;
    this.next[p] = -1;
    this.retries[p] = 0;
    this.act[p] = 0; // no pending action
    return p;
  }

  release(p: number): void {
    this.live--;
    this.free.push(p);
  }

  /** Appends packet p to FIFO q (linked through `next`). */
  push(q: Fifo, p: number): void {
    this.next[p] = -1;
    if (q.tail >= 0) this.next[q.tail] = p;
    else q.head = p;
    q.tail = p;
    q.length++;
  }

  /** Removes the head of a non-empty FIFO q. */
  pop(q: Fifo): number {
    const p = q.head;
    q.head = this.next[p]!;
    if (q.head < 0) q.tail = -1;
    q.length--;
    return p;
  }

  /** Removes p from FIFO q, where prev is p's predecessor in q (-1: p is the head). */
  unlink(q: Fifo, prev: number, p: number): void {
    const nx = this.next[p]!;
    if (prev < 0) q.head = nx;
    else this.next[prev] = nx;
    if (q.tail === p) q.tail = prev;
    q.length--;
  }

  private grow(): void {
    const old = this.cap;
    const cap = Math.max(1024, old * 2);
    const g = <T extends Int32Array | Uint8Array | Int16Array | Uint16Array | Float64Array>(
      a: T,
      C: new (n: number) => T,
    ): T => {
      const b = new C(cap);
      b.set(a);
      return b;
    };
    this.conn = g(this.conn, Int32Array);
    this.kind = g(this.kind, Uint8Array);
    this.dir = g(this.dir, Uint8Array);
    this.host = g(this.host, Uint8Array);
    this.stage = g(this.stage, Int16Array);
    this.frames = g(this.frames, Uint16Array);
    this.bytes = g(this.bytes, Int32Array);
    this.retries = g(this.retries, Uint8Array);
    this.act = g(this.act, Uint8Array);
    this.actArg = g(this.actArg, Int32Array);
    this.next = g(this.next, Int32Array);
    this.cpu = g(this.cpu, Int32Array);
    this.t0 = g(this.t0, Float64Array);
    this.sched = g(this.sched, Float64Array);
    this.burstPos = g(this.burstPos, Int32Array);
    this.ready = g(this.ready, Float64Array);
    for (let i = cap - 1; i >= old; i--) this.free.push(i);
    this.cap = cap;
  }
}

/** An intrusive FIFO of packet slots, linked through pool.next. */
export class Fifo {
  head = -1;
  tail = -1;
  length = 0;
}
