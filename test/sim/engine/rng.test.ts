/**
 * AleaStream is seedrandom's Alea re-written as a class: it must give the same doubles, bit for
 * bit, for every key (checked over 10^6 draws for several seeds, replications and components), and
 * the samplers that use it directly must give the same values as through a plain closure.
 */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { exponential } from '../../../sim/engine/distributions/exponential.ts';
import { AleaStream, aleaOf, createStream, streamKey } from '../../../sim/engine/rng.ts';

const DRAWS = 1_000_000;

/** Index of the first draw where the two sources differ, or -1 (Object.is: bit-identical doubles). */
function firstDifference(a: () => number, b: () => number, n: number): number {
  for (let i = 0; i < n; i++) if (!Object.is(a(), b())) return i;
  return -1;
}

describe('AleaStream', () => {
  const keys: [number, number, string][] = [
    [1, 0, 'arrivals'],
    [1, 0, 'service'],
    [42, 7, 'stage.loss'],
    [-3, 1, ''],
    [2 ** 40 + 0.5, 123, 'wire.jitter/é✓'],
  ];
  it.each(keys)(
    'createStream(%s, %s, %j) draws what seedrandom.alea draws, 10^6 times',
    (seed, rep, comp) => {
      const ours = createStream(seed, rep, comp);
      const theirs = seedrandom.alea(streamKey(seed, rep, comp));
      expect(firstDifference(ours, theirs, DRAWS)).toBe(-1);
    },
  );

  it('keeps state per stream: interleaved streams draw as if alone', () => {
    const a = createStream(9, 0, 'a');
    const b = createStream(9, 0, 'b');
    const refA = seedrandom.alea(streamKey(9, 0, 'a'));
    const refB = seedrandom.alea(streamKey(9, 0, 'b'));
    for (let i = 0; i < 1000; i++) {
      expect(a()).toBe(refA());
      expect(b()).toBe(refB());
      expect(b()).toBe(refB());
    }
  });

  it('draws are multiples of 2^-32 in [0, 1)', () => {
    const g = new AleaStream('k');
    let bad = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = g.next();
      if (!(u >= 0 && u < 1 && Number.isInteger(u * 2 ** 32))) bad++;
    }
    expect(bad).toBe(0);
  });

  it('aleaOf finds the stream of createStream sources only', () => {
    expect(aleaOf(createStream(1, 0, 'x'))).toBeInstanceOf(AleaStream);
    expect(aleaOf(seedrandom.alea('x'))).toBeUndefined();
    expect(aleaOf(() => 0.5)).toBeUndefined();
  });
});

describe('exponential through AleaStream', () => {
  it('gives the same values as through an opaque closure over seedrandom, 10^6 times', () => {
    for (const [seed, comp, rate] of [
      [1, 'arrivals', 0.9 / 1000],
      [5, 'svc', 1 / 1000],
      [77, 'x', 3.5],
    ] as const) {
      const fast = exponential(createStream(seed, 0, comp), rate);
      const ref = seedrandom.alea(streamKey(seed, 0, comp));
      const slow = exponential(() => ref(), rate);
      expect(firstDifference(fast, slow, DRAWS)).toBe(-1);
    }
  });
});
