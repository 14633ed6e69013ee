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
 * Layout. The event list is a 4-ary min-heap of (time, slot) in two typed arrays (Float64Array
 * `hTime`, Int32Array `hSlot`). A slot is a record of four doubles in one Float64Array `rec`:
 * (sequence, kind, a, b), so an event's record is one 32-byte block: firing an event that was
 * scheduled long ago touches one cache line for its record instead of one per field. Sifting moves
 * one double and one int per level; sequence numbers are read only when two times are equal.
 * Free slots form a stack, so the slot just freed by the firing event is the one the next
 * `schedule` reuses (still in cache).
 *
 * Pop chooses the earliest of four children without branches on the comparisons (each one becomes
 * a 0/1 added to an index): with random times those branches are unpredictable, and removing them
 * measured ~1.25x faster with 1000 events pending. Equal times among the children fall back to a
 * scan that compares sequence numbers, so the (time, sequence) order stays exact.
 *
 * Cost: schedule and pop are O(log_4 n), no allocation except when the arrays double. Cancellation
 * is lazy: the id is remembered in a set and the event is skipped when it reaches the top; while
 * nothing is cancelled the hot loop never touches the set.
 *
 * V8 and the hot path. TurboFan inlines callees into a function up to a budget of bytecode (about
 * 920 bytes per compiled function); a call it does not inline passes every non-small-integer
 * argument (a time, a delay) as a freshly allocated heap number. So `schedule` and `push` are kept
 * small (throws in helper functions) to be inlined into each handler that schedules, and the
 * sift-down after a pop takes only a small integer, so it costs a plain call when it is not
 * inlined. The same rule shapes `Queue.arrive` and `Histogram.record`. Tried and not kept:
 * splitting the sift-up out of `push` (no measurable difference); replacing the fired root in place
 * by the next scheduled event instead of a pop and a push (~5 % faster with 1000 pending, but the
 * larger inlined push pushed other calls out of the budget: slower with 2 pending and in M/M/1).
 *
 * Measured (`cnisim bench engine --model hold --delays table`, CPU time, Node 20 on the shared
 * 2-core machines): about 21 ns per event with 2 pending, about 100 ns with 1000, 280-310 ns with
 * 100000 (there the heap and records outgrow the caches).
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

/**
 * Math.round for x >= 0, without a branch: V8 compiles Math.round as a ceiling plus a conditional
 * correction whose branch is unpredictable for random delays (~5 ns per event measured in the hold
 * benchmark). Exact: for x >= 0, x - floor(x) is computed without rounding error, and halves go up
 * as in Math.round; from 2^52 up every double is an integer and is returned unchanged.
 */
function roundNonNegative(x: number): number {
  const f = Math.floor(x);
  return f + +(x - f >= 0.5);
}

function badDelay(delay_ns: number): never {
  throw new RangeError(`schedule: delay_ns must be >= 0 (got ${delay_ns})`);
}

function badKind(kind: number): never {
  throw new RangeError(`schedule: unknown event kind ${kind}`);
}

/** Doubles per slot record: sequence, kind, a, b. */
const REC = 4;

export class Simulator {
  private now = 0;
  private processed = 0;
  private nextSeq = 0;
  private size = 0;
  private capacity = INITIAL_CAPACITY;
  /** Heap order: event time and the slot holding the rest of the event. */
  private hTime = new Float64Array(INITIAL_CAPACITY);
  private hSlot = new Int32Array(INITIAL_CAPACITY);
  /** Slot records, REC doubles each: sequence number (the event id), kind, a, b. */
  private rec = new Float64Array(REC * INITIAL_CAPACITY);
  /** Stack of free slots. */
  private free = Int32Array.from({ length: INITIAL_CAPACITY }, (_, i) => INITIAL_CAPACITY - 1 - i);
  private nFree = INITIAL_CAPACITY;
  private readonly handlers: EventHandler[] = [];
  /** A label per kind (for instrumentation and messages only; the engine never reads it). */
  private readonly kindNames: string[] = [];
  /** handlers.length, kept in a field for the kind check in `schedule`. */
  private nKinds = 0;
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

  /** Registers a handler (with an optional label); the returned kind id is what `schedule` takes. */
  register(handler: EventHandler, name = ''): number {
    this.handlers.push(handler);
    this.kindNames.push(name || `kind ${this.handlers.length - 1}`);
    this.nKinds = this.handlers.length;
    return this.nKinds - 1;
  }

  /** Kinds registered so far (ids 0 .. kinds - 1). */
  get kinds(): number {
    return this.nKinds;
  }

  /** The label a kind was registered with. */
  kindName(kind: number): string {
    if (!(kind >= 0 && kind < this.nKinds)) badKind(kind);
    return this.kindNames[kind]!;
  }

  /**
   * Replaces the handler of `kind` and returns the old one: instrumentation (a benchmark counts and
   * times events by kind by wrapping each handler). Not for models: they register what they handle.
   */
  replaceHandler(kind: number, handler: EventHandler): EventHandler {
    if (!(kind >= 0 && kind < this.nKinds)) badKind(kind);
    const old = this.handlers[kind]!;
    this.handlers[kind] = handler;
    return old;
  }

  /** Schedules an event `delay_ns` from now; returns an id for `cancel`. */
  schedule(delay_ns: number, kind: number, a: number, b: number): number {
    if (!(delay_ns >= 0)) badDelay(delay_ns);
    return this.push(this.now + roundNonNegative(delay_ns), kind, a, b);
  }

  /** Schedules an event at absolute time `time_ns` (>= now); returns an id for `cancel`. */
  scheduleAt(time_ns: number, kind: number, a: number, b: number): number {
    // Negative times only reach the throw below; Math.round keeps their rounding (and -0) as before.
    const t = time_ns >= 0 ? roundNonNegative(time_ns) : Math.round(time_ns);
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
      // The arrays are re-read every event: a handler's `schedule` may have grown them.
      const t = this.hTime[0]!;
      if (t > until) break;
      const slot = this.hSlot[0]!;
      const rec = this.rec;
      const r = REC * slot;
      const seq = rec[r]!;
      const kind = rec[r + 1]!;
      const a = rec[r + 2]!;
      const b = rec[r + 3]!;
      this.free[this.nFree++] = slot;
      const n = --this.size;
      if (n > 0) this.siftDown(n);
      if (this.nCancelled > 0 && this.cancelled.delete(seq)) {
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

  /**
   * Kept small (throws in helpers) so that V8 inlines schedule and push into every handler: a call it
   * does not inline passes the time as a boxed double, one heap allocation per event.
   */
  private push(t: number, kind: number, a: number, b: number): number {
    if (!(kind >= 0 && kind < this.nKinds)) badKind(kind);
    if (this.size === this.capacity) this.grow();
    const seq = this.nextSeq++;
    const slot = this.free[--this.nFree]!;
    const rec = this.rec;
    const r = REC * slot;
    rec[r] = seq;
    rec[r + 1] = kind;
    rec[r + 2] = a;
    rec[r + 3] = b;
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

  /** Removes the root of a heap that held n + 1 entries: entry n is sifted down from the top through a hole. */
  private siftDown(n: number): void {
    const hTime = this.hTime;
    const hSlot = this.hSlot;
    const t = hTime[n]!;
    const slot = hSlot[n]!;
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      let c: number;
      if (first + 3 < n) {
        const t0 = hTime[first]!;
        const t1 = hTime[first + 1]!;
        const t2 = hTime[first + 2]!;
        const t3 = hTime[first + 3]!;
        // Branch-free: a comparison read as 0/1 (unary +) picks the index of the earlier of a pair.
        const i01 = first + +(t1 < t0);
        const i23 = first + 2 + +(t3 < t2);
        c = i01 + (i23 - i01) * +(hTime[i23]! < hTime[i01]!);
        // Strict comparisons give the leftmost earliest child; if another child has the same
        // time, the sequence numbers must decide.
        const ct = hTime[c]!;
        if (+(t0 === ct) + +(t1 === ct) + +(t2 === ct) + +(t3 === ct) > 1)
          c = this.earliest(first, first + 4);
      } else c = this.earliest(first, n);
      const ct = hTime[c]!;
      if (t < ct || (t === ct && this.rec[REC * slot]! < this.rec[REC * hSlot[c]!]!)) break;
      hTime[i] = ct;
      hSlot[i] = hSlot[c]!;
      i = c;
    }
    hTime[i] = t;
    hSlot[i] = slot;
  }

  /** Heap index in [from, to) of the earliest (time, sequence) entry. */
  private earliest(from: number, to: number): number {
    const hTime = this.hTime;
    const hSlot = this.hSlot;
    const rec = this.rec;
    let c = from;
    let ct = hTime[from]!;
    for (let j = from + 1; j < to; j++) {
      const jt = hTime[j]!;
      if (jt < ct || (jt === ct && rec[REC * hSlot[j]!]! < rec[REC * hSlot[c]!]!)) {
        c = j;
        ct = jt;
      }
    }
    return c;
  }

  private grow(): void {
    const old = this.capacity;
    const cap = old * 2;
    const hTime = new Float64Array(cap);
    hTime.set(this.hTime);
    this.hTime = hTime;
    const hSlot = new Int32Array(cap);
    hSlot.set(this.hSlot);
    this.hSlot = hSlot;
    const rec = new Float64Array(REC * cap);
    rec.set(this.rec);
    this.rec = rec;
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
      const s = this.rec[REC * this.hSlot[i]!]!;
      if (this.cancelled.has(s)) live.add(s);
    }
    this.cancelled.clear();
    for (const s of live) this.cancelled.add(s);
    this.nCancelled = this.cancelled.size;
  }
}
