/**
 * A multi-server FIFO queue: `servers` identical servers, an optional capacity K counting the jobs
 * in the system (waiting plus in service; K = Infinity by default). An arrival that finds K jobs
 * present is dropped and counted. Each job carries its own service demand (so M/M/c, M/D/c and
 * M/G/c are all this class with a different service sampler).
 *
 * Invariants: servers never idle while jobs wait; jobs start service in arrival order;
 * arrivals = departures + drops + in system.
 * Statistics: time-weighted number in system and busy servers since the last `resetStats`. They are
 * kept lazily: the integral of N(t) from the reset to now is `acc + N * now`, where each arrival
 * subtracts its time from `acc` and each departure adds its time (the sum over jobs of the time
 * each spent present); busy servers likewise at service start and end. That is one add per change
 * instead of a multiply-add per change of both quantities. With integer nanosecond clocks both forms
 * are exact integers below 2^53 (the terms stay below N_max * now).
 * Layout: per-server records (token, arrival, start) in one Float64Array, waiting jobs (service,
 * token, arrival) in one ring buffer whose capacity is a power of two: one array per access path.
 * Cost: O(1) per arrival and departure plus one simulator event per service; no allocation except
 * when the waiting ring doubles.
 */
import type { EventHandler, Simulator } from './simulator.ts';

export interface QueueListener {
  /** A job finished service now; it arrived at `arrived_ns` and entered service at `started_ns`. */
  departed(token: number, arrived_ns: number, started_ns: number): void;
  /** An arrival found the queue full. */
  dropped?(token: number): void;
}

function badService(service_ns: number): never {
  throw new RangeError(`service_ns must be >= 0 (got ${service_ns})`);
}

/** Doubles per server record (token, arrived, started) and per waiting job (service, token, arrived). */
const SRV = 3;
const WAIT = 3;

export class Queue implements EventHandler {
  readonly servers: number;
  readonly capacity: number;
  private readonly kind: number;
  /** Waiting jobs: ring of WAIT doubles each; `wMask` = slots - 1 (slots a power of two). */
  private wait = new Float64Array(WAIT * 64);
  private wMask = 63;
  private wHead = 0;
  private wCount = 0;
  /** Jobs in service: SRV doubles per server. */
  private readonly srv: Float64Array;
  private readonly freeServers: Int32Array;
  private nFree: number;
  private inSys = 0;
  private nArrivals = 0;
  private nDepartures = 0;
  private nDrops = 0;
  private statsStart = 0;
  /** Lazy integrals: the integral since the reset is acc + current value * now (see header). */
  private accInSystem = 0;
  private accBusy = 0;

  constructor(
    private readonly sim: Simulator,
    servers: number,
    private readonly listener: QueueListener,
    capacity = Number.POSITIVE_INFINITY,
  ) {
    if (!Number.isInteger(servers) || servers < 1)
      throw new RangeError(`servers must be a whole number >= 1 (got ${servers})`);
    if (!(capacity >= servers))
      throw new RangeError(`capacity must be >= servers=${servers} (got ${capacity})`);
    this.servers = servers;
    this.capacity = capacity;
    this.kind = sim.register(this);
    this.srv = new Float64Array(SRV * servers);
    this.freeServers = new Int32Array(servers);
    for (let i = 0; i < servers; i++) this.freeServers[i] = servers - 1 - i;
    this.nFree = servers;
    this.statsStart = sim.now_ns;
  }

  /**
   * A job arrives now with `service_ns` of work; returns false when it was dropped. The job always
   * joins the waiting ring, and starts at once when a server is free (the ring was then empty, so
   * it is the head): the out-of-line start takes no arguments, so no double is boxed when V8 does
   * not inline it, and `arrive` stays small enough to be inlined into the caller.
   */
  arrive(service_ns: number, token: number): boolean {
    this.nArrivals++;
    if (this.inSys >= this.capacity) return this.drop(token);
    if (!(service_ns >= 0)) badService(service_ns);
    const now = this.sim.now_ns;
    this.accInSystem -= now;
    this.inSys++;
    if (this.wCount > this.wMask) this.growWaiting();
    const w = this.wait;
    const i = WAIT * ((this.wHead + this.wCount++) & this.wMask);
    w[i] = service_ns;
    w[i + 1] = token;
    w[i + 2] = now;
    if (this.nFree > 0) this.startHead();
    return true;
  }

  /** Service completion on server `server`; the head of the waiting line, if any, starts on it. */
  handle(server: number, _b: number): void {
    const now = this.sim.now_ns;
    this.accInSystem += now;
    this.inSys--;
    this.nDepartures++;
    const srv = this.srv;
    const r = SRV * server;
    const token = srv[r]!;
    const arrived = srv[r + 1]!;
    const started = srv[r + 2]!;
    this.freeServers[this.nFree++] = server;
    this.accBusy += now;
    if (this.wCount > 0) this.startHead();
    this.listener.departed(token, arrived, started);
  }

  /** Jobs waiting for a server. */
  get waiting(): number {
    return this.wCount;
  }

  get inSystem(): number {
    return this.inSys;
  }
  get busyServers(): number {
    return this.servers - this.nFree;
  }
  get arrivals(): number {
    return this.nArrivals;
  }
  get departures(): number {
    return this.nDepartures;
  }
  get drops(): number {
    return this.nDrops;
  }

  /** Time since the last reset (or creation). */
  get statsElapsed_ns(): number {
    return this.sim.now_ns - this.statsStart;
  }

  /** Integral of the number in system since the last reset, ns. */
  inSystemArea_ns(): number {
    return this.accInSystem + this.inSys * this.sim.now_ns;
  }

  /** Integral of the number of busy servers since the last reset, ns. */
  busyArea_ns(): number {
    return this.accBusy + (this.servers - this.nFree) * this.sim.now_ns;
  }

  /** Time-average number in system since the last reset. */
  meanInSystem(): number {
    const el = this.sim.now_ns - this.statsStart;
    return el > 0 ? this.inSystemArea_ns() / el : 0;
  }

  /** Time-average fraction of servers busy since the last reset. */
  utilisation(): number {
    const el = this.sim.now_ns - this.statsStart;
    return el > 0 ? this.busyArea_ns() / el / this.servers : 0;
  }

  /** Starts a new statistics period (counters and time averages); jobs present are untouched. */
  resetStats(): void {
    const now = this.sim.now_ns;
    this.nArrivals = this.nDepartures = this.nDrops = 0;
    this.accInSystem = -this.inSys * now;
    this.accBusy = -(this.servers - this.nFree) * now;
    this.statsStart = now;
  }

  /** Starts the head of the waiting ring on the free server on top of the stack. */
  private startHead(): void {
    const now = this.sim.now_ns;
    const w = this.wait;
    const i = WAIT * this.wHead;
    this.wHead = (this.wHead + 1) & this.wMask;
    this.wCount--;
    const server = this.freeServers[--this.nFree]!;
    const srv = this.srv;
    const r = SRV * server;
    srv[r] = w[i + 1]!;
    srv[r + 1] = w[i + 2]!;
    srv[r + 2] = now;
    this.accBusy -= now;
    this.sim.schedule(w[i]!, this.kind, server, 0);
  }

  private drop(token: number): false {
    this.nDrops++;
    this.listener.dropped?.(token);
    return false;
  }

  private growWaiting(): void {
    const slots = this.wMask + 1;
    const w = new Float64Array(WAIT * slots * 2);
    for (let k = 0; k < this.wCount; k++) {
      const from = WAIT * ((this.wHead + k) & this.wMask);
      w[WAIT * k] = this.wait[from]!;
      w[WAIT * k + 1] = this.wait[from + 1]!;
      w[WAIT * k + 2] = this.wait[from + 2]!;
    }
    this.wait = w;
    this.wMask = 2 * slots - 1;
    this.wHead = 0;
  }
}
