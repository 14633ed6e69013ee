/**
 * Random CPU stalls (hypervisor steal, SMIs, long interrupts of other devices): a Poisson process
 * over all CPUs at `stallRatePerCpu_per_ns` each, with lognormal durations; the stalled CPU's
 * running chunk is frozen (its end moves later), or an idle CPU cannot start anything until the
 * stall ends (cpu-scheduler.ts). Stops at the end of the send window. Cost: one event per stall.
 */
import { lognormalFromMeanCv } from '../engine/distributions/lognormal.ts';
import { createStream, type Source } from '../engine/rng.ts';
import type { NetworkSim } from './network-sim.ts';

export class Stalls {
  private readonly src: Source;
  private readonly duration: (() => number) | null;
  private readonly ev: number;
  private readonly net: NetworkSim;

  constructor(net: NetworkSim, seed: number, replication: number) {
    this.net = net;
    const c = net.c;
    this.src = createStream(seed, replication, 'stalls');
    this.duration =
      c.stallRatePerCpu_per_ns > 0 && c.stallMean_ns > 0
        ? lognormalFromMeanCv(createStream(seed, replication, 'stalls.duration'), c.stallMean_ns, c.stallCv)
        : null;
    this.ev = net.sim.register({ handle: () => this.onStall() }, 'stall');
  }

  /** Schedules the first stall (nothing when stalls are off). */
  start(): void {
    if (this.duration) this.scheduleNext();
  }

  private scheduleNext(): void {
    const rate = this.net.c.stallRatePerCpu_per_ns * this.net.nCpu;
    const gap = -Math.log1p(-this.src()) / rate;
    this.net.sim.schedule(gap, this.ev, 0, 0);
  }

  private onStall(): void {
    const net = this.net;
    const n = net.nCpu;
    const cpu = Math.min(n - 1, Math.floor(this.src() * n));
    const d = Math.ceil(this.duration!()); // whole ns: the stalled-until test compares with the clock
    const now = net.sim.now_ns;
    net.cpus.stall(cpu, d, now);
    if (now < net.sendEnd_ns) this.scheduleNext();
  }
}
