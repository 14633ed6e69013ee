/**
 * Discrete-event simulator: an integer-nanosecond clock and a pending-event list.
 *
 * Invariants
 * - Time never goes backwards: `schedule` with a negative or NaN delay, or `scheduleAt` before
 *   `now_ns`, throws a RangeError. Times are rounded to whole nanoseconds when scheduled.
 * - Events fire in (time, sequence) order; the sequence number is the order of scheduling, so two
 *   events at the same nanosecond fire in the order they were scheduled (FIFO tie-break, as SimPy).
 * - An event is (kind, a, b): `kind` picks a handler object registered once, `a` and `b` are two
 *   numbers of payload (a CPU index, a packet slot, a generation...). No closure or object is
 *   allocated per event.
 *
 * Cost: the event list is a 4-ary min-heap of (time, slot) in two typed arrays (Float64Array time,
 * Int32Array slot); each slot holds the event's sequence number, kind and payload in further typed
 * arrays, so sifting moves one double and one int per level, and the sequence number is read only
 * to break ties. A 4-ary heap is half as deep as a binary one; against the earlier binary heap that
 * moved all five fields it measured ~1.2x faster with 1000 events pending and ~1.4x with 2.
 * Schedule and pop are O(log n) with no allocation except when the arrays double. Cancellation is
 * lazy: the id is remembered in a set and the event is skipped when it reaches the top; while
 * nothing is cancelled the hot loop never touches the set.
 */

export interface EventHandler {
  handle(a: number, b: number): void;
}

export interface RunOptions {
  /** Stop before the first event later than this time; the clock is then advanced to it. */
  until_ns?: number;
  /** Stop after this many more events have been dispatched. */
  max_events?: number;
}

const INITIAL_CAPACITY = 256;

export class Simulator {
  private now = 0;
  private processed = 0;
  private nextSeq = 0;
  private size = 0;
  private capacity = INITIAL_CAPACITY;
  /** Heap order: event time and the slot holding the rest of the event. */
  private hTime = new Float64Array(INITIAL_CAPACITY);
  private hSlot = new Int32Array(INITIAL_CAPACITY);
  /** Per slot: sequence number (the event id), kind, payload. */
  private sSeq = new Float64Array(INITIAL_CAPACITY);
  private sKind = new Int32Array(INITIAL_CAPACITY);
  private sA = new Float64Array(INITIAL_CAPACITY);
  private sB = new Float64Array(INITIAL_CAPACITY);
  /** Stack of free slots. */
  private free = Int32Array.from({ length: INITIAL_CAPACITY }, (_, i) => INITIAL_CAPACITY - 1 - i);
  private nFree = INITIAL_CAPACITY;
  private readonly handlers: EventHandler[] = [];
  private readonly cancelled = new Set<number>();
  /** Mirrors cancelled.size in a plain field: the hot loop tests it on every event. */
  private nCancelled = 0;
  private stopped = false;

  /** Current simulated time in nanoseconds (an integer). */
  get now_ns(): number {
    return this.now;
  }

  /** Events dispatched so far (cancelled events are not counted). */
  get events(): number {
    return this.processed;
  }

  /** Events waiting in the list, including cancelled ones not yet skipped. */
  get pending(): number {
    return this.size;
  }

  /** Registers a handler; the returned kind id is what `schedule` takes. */
  register(handler: EventHandler): number {
    this.handlers.push(handler);
    return this.handlers.length - 1;
  }

  /** Schedules an event `delay_ns` from now; returns an id for `cancel`. */
  schedule(delay_ns: number, kind: number, a: number, b: number): number {
    if (!(delay_ns >= 0)) throw new RangeError(`schedule: delay_ns must be >= 0 (got ${delay_ns})`);
    return this.push(this.now + Math.round(delay_ns), kind, a, b);
  }

  /** Schedules an event at absolute time `time_ns` (>= now); returns an id for `cancel`. */
  scheduleAt(time_ns: number, kind: number, a: number, b: number): number {
    const t = Math.round(time_ns);
    if (!(t >= this.now))
      throw new RangeError(`scheduleAt: time_ns must be >= now_ns=${this.now} (got ${time_ns})`);
    return this.push(t, kind, a, b);
  }

  /** Cancels a pending event by id. Cancelling an event that already fired is harmless. */
  cancel(id: number): void {
    this.cancelled.add(id);
    this.nCancelled = this.cancelled.size;
    // Ids of events that already fired would stay in the set forever; purge when it outgrows the list.
    if (this.cancelled.size > 2 * this.size + 64) this.purgeCancelled();
  }

  /** Makes `run` return after the event being handled. */
  stop(): void {
    this.stopped = true;
  }

  /** Dispatches events in (time, sequence) order until the list empties, `until_ns`, `max_events` or `stop()`. */
  run(opts: RunOptions = {}): void {
    const until = opts.until_ns ?? Number.POSITIVE_INFINITY;
    const limit = this.processed + (opts.max_events ?? Number.POSITIVE_INFINITY);
    if (!(until >= this.now)) throw new RangeError(`run: until_ns must be >= now_ns (got ${opts.until_ns})`);
    this.stopped = false;
    const handlers = this.handlers;
    let reachedUntil = true;
    while (this.size > 0) {
      if (this.stopped || this.processed >= limit) {
        reachedUntil = false;
        break;
      }
      const t = this.hTime[0]!;
      if (t > until) break;
      const slot = this.hSlot[0]!;
      const kind = this.sKind[slot]!;
      const a = this.sA[slot]!;
      const b = this.sB[slot]!;
      this.free[this.nFree++] = slot;
      this.popTop();
      if (this.nCancelled > 0 && this.cancelled.delete(this.sSeq[slot]!)) {
        this.nCancelled = this.cancelled.size;
        continue;
      }
      this.now = t;
      this.processed++;
      handlers[kind]!.handle(a, b);
    }
    if (reachedUntil && !this.stopped && until !== Number.POSITIVE_INFINITY && this.now < until)
      this.now = until;
  }

  private push(t: number, kind: number, a: number, b: number): number {
    if (!(kind >= 0 && kind < this.handlers.length))
      throw new RangeError(`schedule: unknown event kind ${kind}`);
    if (this.size === this.capacity) this.grow();
    const seq = this.nextSeq++;
    const slot = this.free[--this.nFree]!;
    this.sSeq[slot] = seq;
    this.sKind[slot] = kind;
    this.sA[slot] = a;
    this.sB[slot] = b;
    // Sift up through a hole. A new event has the largest sequence number so far, so it goes
    // below any parent with an equal time: only a strictly later parent moves down.
    const hTime = this.hTime;
    const hSlot = this.hSlot;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 2;
      const pt = hTime[p]!;
      if (pt <= t) break;
      hTime[i] = pt;
      hSlot[i] = hSlot[p]!;
      i = p;
    }
    hTime[i] = t;
    hSlot[i] = slot;
    return seq;
  }

  /** Removes the root: the last entry is sifted down from the top through a hole. */
  private popTop(): void {
    const n = --this.size;
    if (n === 0) return;
    const hTime = this.hTime;
    const hSlot = this.hSlot;
    const sSeq = this.sSeq;
    const t = hTime[n]!;
    const slot = hSlot[n]!;
    const seq = sSeq[slot]!;
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      // Smallest (time, seq) among up to 4 children; sequence numbers are read only on time ties.
      let c = first;
      let ct = hTime[first]!;
      if (first + 3 < n) {
        let jt = hTime[first + 1]!;
        if (jt < ct || (jt === ct && sSeq[hSlot[first + 1]!]! < sSeq[hSlot[c]!]!)) {
          c = first + 1;
          ct = jt;
        }
        jt = hTime[first + 2]!;
        if (jt < ct || (jt === ct && sSeq[hSlot[first + 2]!]! < sSeq[hSlot[c]!]!)) {
          c = first + 2;
          ct = jt;
        }
        jt = hTime[first + 3]!;
        if (jt < ct || (jt === ct && sSeq[hSlot[first + 3]!]! < sSeq[hSlot[c]!]!)) {
          c = first + 3;
          ct = jt;
        }
      } else {
        for (let j = first + 1; j < n; j++) {
          const jt = hTime[j]!;
          if (jt < ct || (jt === ct && sSeq[hSlot[j]!]! < sSeq[hSlot[c]!]!)) {
            c = j;
            ct = jt;
          }
        }
      }
      if (t < ct || (t === ct && seq < sSeq[hSlot[c]!]!)) break;
      hTime[i] = ct;
      hSlot[i] = hSlot[c]!;
      i = c;
    }
    hTime[i] = t;
    hSlot[i] = slot;
  }

  private grow(): void {
    const old = this.capacity;
    const cap = old * 2;
    const f64 = (src: Float64Array) => {
      const d = new Float64Array(cap);
      d.set(src);
      return d;
    };
    const i32 = (src: Int32Array) => {
      const d = new Int32Array(cap);
      d.set(src);
      return d;
    };
    this.hTime = f64(this.hTime);
    this.hSlot = i32(this.hSlot);
    this.sSeq = f64(this.sSeq);
    this.sKind = i32(this.sKind);
    this.sA = f64(this.sA);
    this.sB = f64(this.sB);
    // All old slots are in use (the list was full); the new ones are free.
    const free = new Int32Array(cap);
    for (let i = 0; i < old; i++) free[i] = cap - 1 - i;
    this.free = free;
    this.nFree = old;
    this.capacity = cap;
  }

  private purgeCancelled(): void {
    const live = new Set<number>();
    for (let i = 0; i < this.size; i++) {
      const s = this.sSeq[this.hSlot[i]!]!;
      if (this.cancelled.has(s)) live.add(s);
    }
    this.cancelled.clear();
    for (const s of live) this.cancelled.add(s);
    this.nCancelled = this.cancelled.size;
  }
}
