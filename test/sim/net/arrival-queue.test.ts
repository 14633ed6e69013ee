/** ArrivalQueue: packets leave in (arrival time, push order), checked against a sorted reference. */
import { describe, expect, it } from 'vitest';
import { createStream } from '../../../sim/engine/rng.ts';
import { ArrivalQueue } from '../../../sim/net/arrival-queue.ts';

describe('ArrivalQueue', () => {
  it('pops in (time, push order) across interleaved pushes and pops, with many equal times', () => {
    const src = createStream(5, 0, 'test.arrival-heap'); // the stream name of the former ArrivalHeap test: same draws
    const h = new ArrivalQueue();
    const ref: { t: number; seq: number; p: number }[] = [];
    let seq = 0;
    let popped = 0;
    // Times on a coarse grid (0..19) so that ties are frequent; the heap grows past 16 entries.
    for (let i = 0; i < 5000; i++) {
      if (src() < 0.55 || ref.length === 0) {
        const t = Math.floor(src() * 20) + Math.floor(i / 50);
        h.push(t, i);
        ref.push({ t, seq: seq++, p: i });
      } else {
        ref.sort((a, b) => a.t - b.t || a.seq - b.seq);
        const want = ref.shift()!;
        expect(h.minTime()).toBe(want.t);
        expect(h.minPacket()).toBe(want.p);
        h.pop();
        popped++;
      }
      expect(h.length).toBe(ref.length);
    }
    ref.sort((a, b) => a.t - b.t || a.seq - b.seq);
    for (const want of ref) {
      expect(h.minPacket()).toBe(want.p);
      h.pop();
    }
    expect(h.length).toBe(0);
    expect(popped).toBeGreaterThan(1000);
  });
});
