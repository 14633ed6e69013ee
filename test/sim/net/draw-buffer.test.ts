import { describe, expect, it } from 'vitest';
import { lognormalFromMeanCv } from '../../../sim/engine/distributions/lognormal.ts';
import { createStream } from '../../../sim/engine/rng.ts';
import { DrawBuffer } from '../../../sim/net/draw-buffer.ts';

describe('DrawBuffer', () => {
  it("returns the sampler's values in its order, across block boundaries", () => {
    // The interpreter's results stay bit-identical only if drawing ahead changes no value or order.
    const buffered = new DrawBuffer(lognormalFromMeanCv(createStream(7, 3, 'wire.jitter'), 5000, 0.5));
    const direct = lognormalFromMeanCv(createStream(7, 3, 'wire.jitter'), 5000, 0.5);
    const n = 1000; // several blocks of 256 and a partial one
    let same = 0;
    for (let i = 0; i < n; i++) if (Object.is(buffered.next(), direct())) same++;
    expect(same).toBe(n);
  });

  it('draws a block at a time, not before the first value is asked for', () => {
    let calls = 0;
    const b = new DrawBuffer(() => ++calls);
    expect(calls).toBe(0);
    expect(b.next()).toBe(1);
    expect(calls).toBe(256);
    for (let i = 2; i <= 257; i++) expect(b.next()).toBe(i);
    expect(calls).toBe(512);
  });
});
