/**
 * Values of a sampler drawn ahead in blocks: `next()` returns the sampler's values in the order it
 * produces them, so a stream used by one consumer only (the wire's jitter) gives bit-identical
 * results whether drawn one at a time or ahead.
 *
 * Why: the wire's lognormal jitter (one per packet on the wire; a log every second draw and an exp
 * every draw, which V8 compiles to calls into C) measured 7-12 % of the CPU time per request inside
 * the interpreter (same run without the draws), well above the ~40 ns per draw of a tight loop;
 * presumably because there the draw is inlined into the large chunk-completion code (onCpuDone ->
 * applyEffects -> wire.transmit), where each call into C spills the live values around it (not
 * verified). Drawn here, in a loop of its own, the hot path reads one double: measured ~3 % less CPU per request for net-host (10 alternated
 * pairs of `cnisim bench model`, median ratio 1.03) and no difference within the noise for
 * flannel-vxlan (median 1.005): most of the draws' cost remains.
 *
 * Invariant: values[pos..BLOCK) are the sampler's next values, in order. Cost: one array read per
 * call, the sampler's cost per value, BLOCK doubles of memory; at most BLOCK - 1 values are drawn and
 * never used (the stream must not be shared with another consumer).
 */
const BLOCK = 256;

export class DrawBuffer {
  private readonly values = new Float64Array(BLOCK);
  private pos = BLOCK;

  constructor(private readonly sample: () => number) {}

  next(): number {
    if (this.pos === BLOCK) this.refill();
    return this.values[this.pos++]!;
  }

  private refill(): void {
    const values = this.values;
    const sample = this.sample;
    for (let i = 0; i < BLOCK; i++) values[i] = sample();
    this.pos = 0;
  }
}
