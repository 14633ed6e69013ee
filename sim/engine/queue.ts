/**
 * A multi-server FIFO queue: `servers` identical servers, an optional capacity K counting the jobs
 * in the system (waiting plus in service; K = Infinity by default). An arrival that finds K jobs
 * present is dropped and counted. Each job carries its own service demand (so M/M/c, M/D/c and
 * M/G/c are all this class with a different service sampler).
 *
 * Invariants: servers never idle while jobs wait; jobs start service in arrival order;
 * arrivals = departures + drops + in system.
 * Statistics: time-weighted number in system and busy servers since the last `resetStats`.
 * Cost: O(1) per arrival and departure plus one simulator event per service.
 */
import type { EventHandler, Simulator } from './simulator.ts';

export interface QueueListener {
  /** A job finished service now; it arrived at `arrived_ns` and entered service at `started_ns`. */
  departed(token: number, arrived_ns: number, started_ns: number): void;
  /** An arrival found the queue full. */
  dropped?(token: number): void;
}

export class Queue implements EventHandler {
  readonly servers: number;
  readonly capacity: number;
  private readonly kind: number;
  /** Waiting jobs: a ring buffer of (service, token, arrival time), capacity a power of two. */
  private wService = new Float64Array(64);
  private wToken = new Float64Array(64);
  private wArrival = new Float64Array(64);
  private wHead = 0;
  private wCount = 0;
  private readonly srvToken: Float64Array;
  private readonly srvArrived: Float64Array;
  private readonly srvStarted: Float64Array;
  private readonly freeServers: Int32Array;
  private nFree: number;
  private inSys = 0;
  private nArrivals = 0;
  private nDepartures = 0;
  private nDrops = 0;
  private statsStart = 0;
  private lastChange = 0;
  private areaInSystem = 0;
  private areaBusy = 0;

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
    this.srvToken = new Float64Array(servers);
    this.srvArrived = new Float64Array(servers);
    this.srvStarted = new Float64Array(servers);
    this.freeServers = new Int32Array(servers);
    for (let i = 0; i < servers; i++) this.freeServers[i] = servers - 1 - i;
    this.nFree = servers;
    this.statsStart = this.lastChange = sim.now_ns;
  }

  /** A job arrives now with `service_ns` of work; returns false when it was dropped. */
  arrive(service_ns: number, token: number): boolean {
    this.nArrivals++;
    if (this.inSys >= this.capacity) {
      this.nDrops++;
      this.listener.dropped?.(token);
      return false;
    }
    if (!(service_ns >= 0)) throw new RangeError(`service_ns must be >= 0 (got ${service_ns})`);
    this.account();
    this.inSys++;
    const now = this.sim.now_ns;
    if (this.nFree > 0) this.startService(service_ns, token, now);
    else {
      if (this.wCount === this.wService.length) this.growWaiting();
      const i = (this.wHead + this.wCount++) & (this.wService.length - 1);
      this.wService[i] = service_ns;
      this.wToken[i] = token;
      this.wArrival[i] = now;
    }
    return true;
  }

  /** Service completion on server `server`. */
  handle(server: number, _b: number): void {
    this.account();
    this.inSys--;
    this.nDepartures++;
    const token = this.srvToken[server]!;
    const arrived = this.srvArrived[server]!;
    const started = this.srvStarted[server]!;
    this.freeServers[this.nFree++] = server;
    if (this.wCount > 0) {
      const i = this.wHead;
      this.wHead = (i + 1) & (this.wService.length - 1);
      this.wCount--;
      this.startService(this.wService[i]!, this.wToken[i]!, this.wArrival[i]!);
    }
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
    this.account();
    return this.areaInSystem;
  }

  /** Integral of the number of busy servers since the last reset, ns. */
  busyArea_ns(): number {
    this.account();
    return this.areaBusy;
  }

  /** Time-average number in system since the last reset. */
  meanInSystem(): number {
    this.account();
    const el = this.sim.now_ns - this.statsStart;
    return el > 0 ? this.areaInSystem / el : 0;
  }

  /** Time-average fraction of servers busy since the last reset. */
  utilisation(): number {
    this.account();
    const el = this.sim.now_ns - this.statsStart;
    return el > 0 ? this.areaBusy / el / this.servers : 0;
  }

  /** Starts a new statistics period (counters and time averages); jobs present are untouched. */
  resetStats(): void {
    this.nArrivals = this.nDepartures = this.nDrops = 0;
    this.areaInSystem = this.areaBusy = 0;
    this.statsStart = this.lastChange = this.sim.now_ns;
  }

  private startService(service_ns: number, token: number, arrived: number): void {
    const server = this.freeServers[--this.nFree]!;
    this.srvToken[server] = token;
    this.srvArrived[server] = arrived;
    this.srvStarted[server] = this.sim.now_ns;
    this.sim.schedule(service_ns, this.kind, server, 0);
  }

  private growWaiting(): void {
    const cap = this.wService.length;
    const s = new Float64Array(cap * 2);
    const t = new Float64Array(cap * 2);
    const a = new Float64Array(cap * 2);
    for (let k = 0; k < this.wCount; k++) {
      const i = (this.wHead + k) & (cap - 1);
      s[k] = this.wService[i]!;
      t[k] = this.wToken[i]!;
      a[k] = this.wArrival[i]!;
    }
    this.wService = s;
    this.wToken = t;
    this.wArrival = a;
    this.wHead = 0;
  }

  private account(): void {
    const now = this.sim.now_ns;
    const dt = now - this.lastChange;
    if (dt > 0) {
      this.areaInSystem += dt * this.inSys;
      this.areaBusy += dt * (this.servers - this.nFree);
      this.lastChange = now;
    }
  }
}
