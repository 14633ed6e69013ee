/** The interpreter's small data structures: ring buffer, effect list, packet FIFOs, batch-mean series. */
import { describe, expect, it } from 'vitest';
import { EffectList } from '../../../sim/net/effect-list.ts';
import { IntQueue } from '../../../sim/net/int-queue.ts';
import { LatencySeries, SERIES_CAP } from '../../../sim/net/latency-series.ts';
import { Fifo, PacketPool } from '../../../sim/net/packet-pool.ts';
import { createRunOutput } from '../../../sim/net/run-output.ts';

describe('IntQueue', () => {
  it('behaves as a double-ended queue across wrap-around and growth (checked against an Array)', () => {
    const q = new IntQueue(2);
    const ref: number[] = [];
    // A fixed pattern of pushes, front insertions and shifts that wraps the head many times and
    // grows the buffer from 8 to 64 entries.
    for (let i = 0; i < 2000; i++) {
      if (i % 7 === 3) {
        q.unshift(i);
        ref.unshift(i);
      } else if (i % 3 === 0 && ref.length > 0) {
        expect(q.shift()).toBe(ref.shift());
      } else if (i < 1500 || i % 2 === 0) {
        q.push(i);
        ref.push(i);
      }
      if (ref.length > 40) expect(q.shift()).toBe(ref.shift());
      expect(q.length).toBe(ref.length);
      if (ref.length > 0) expect(q.front()).toBe(ref[0]);
    }
    while (ref.length > 0) expect(q.shift()).toBe(ref.shift());
    expect(q.length).toBe(0);
  });
  it('holds nanosecond times exactly (double storage)', () => {
    const q = new IntQueue();
    q.push(1.5e12 + 0.25);
    expect(q.shift()).toBe(1.5e12 + 0.25);
  });
});

describe('EffectList', () => {
  it('keeps items in push order and grows without losing any', () => {
    const e = new EffectList();
    for (let i = 0; i < 200; i++) e.push(i * 3);
    expect(e.n).toBe(200);
    expect(Array.from(e.items.subarray(0, e.n))).toEqual(Array.from({ length: 200 }, (_, i) => i * 3));
    e.n = 0;
    e.push(7);
    expect(e.items[0]).toBe(7);
    expect(e.n).toBe(1);
  });
});

describe('PacketPool FIFOs', () => {
  it('pops packets in push order, and the pool recycles released slots', () => {
    const P = new PacketPool();
    const q = new Fifo();
    const slots = Array.from({ length: 3000 }, () => P.alloc());
    expect(new Set(slots).size).toBe(3000);
    for (const p of slots) P.push(q, p);
    expect(q.length).toBe(3000);
    for (const p of slots) expect(P.pop(q)).toBe(p);
    expect(q.length).toBe(0);
    expect(q.head).toBe(-1);
    expect(q.tail).toBe(-1);
    for (const p of slots) P.release(p);
    expect(P.live).toBe(0);
    const cap = P.cap;
    for (let i = 0; i < 3000; i++) P.alloc();
    expect(P.cap).toBe(cap); // reused, not grown
  });
});

describe('LatencySeries', () => {
  it('stores means of 5 values, then halves the series and doubles the batch at the cap', () => {
    const out = createRunOutput(1, []);
    const s = new LatencySeries(out);
    // Value i = i: the mean of batch b (values 5b .. 5b+4) is 5b + 2.
    const n = 5 * SERIES_CAP;
    for (let i = 0; i < n; i++) s.add(i);
    expect(out.seriesLength).toBe(SERIES_CAP);
    expect(out.seriesBatch).toBe(5);
    expect(out.series[0]).toBe(2);
    expect(out.series[1000]).toBe(5002);
    // One more full batch coarsens: entry j is now the mean of values 10j .. 10j+9 = 10j + 4.5.
    for (let i = n; i < n + 5; i++) s.add(i);
    expect(out.seriesBatch).toBe(10);
    expect(out.seriesLength).toBe(SERIES_CAP / 2 + 1);
    expect(out.series[0]).toBe(4.5);
    expect(out.series[100]).toBe(1004.5);
    // The new entry is the mean of the 5 values added after the cap: n + 2 (Float32: n < 2^24 is exact).
    expect(out.series[SERIES_CAP / 2]).toBe(n + 2);
    for (const h of [out.latency, ...out.batches]) h.destroy();
  });
});
