/** The generator loop's slack, found by bisection against a known tick rate. */
import { describe, expect, it } from 'vitest';
import { bisectFalling, fitSlack, MAX_SLACK_NS } from '../../calibration/lab-generator-loop.ts';

describe('bisectFalling', () => {
  it('finds the root of a falling line to the interval halved each step', async () => {
    const r = await bisectFalling(async (x) => 1000 - 500 * x, 800, 0, 1, 10);
    // Root 0.4; after 10 halvings the bracket is 1/1024 wide and the closest point is within it.
    expect(Math.abs(r.x - 0.4)).toBeLessThanOrEqual(1 / 1024);
    expect(r.evaluations).toBe(12);
  });

  it('stays at an end when the target lies beyond it', async () => {
    expect((await bisectFalling(async (x) => 1000 - 500 * x, 1200, 0, 1, 5)).x).toBe(0);
    const low = await bisectFalling(async (x) => 1000 - 500 * x, 100, 0, 1, 5);
    expect(low.x).toBe(1);
    expect(low.evaluations).toBe(2);
  });
});

describe('fitSlack', () => {
  it("matches the lab's ticks per second: period = 1.1 ms + slack, so 870/s needs 49.4 us", async () => {
    const ticksAt = async (slack: number) => 1e9 / (1_100_000 + slack);
    const f = await fitSlack(ticksAt, 870, 7);
    // Exact root 1e9/870 - 1.1e6 = 49,425 ns; 7 halvings of 1 ms leave 7.8 us.
    expect(Math.abs(f.slack_ns - 49_425)).toBeLessThanOrEqual(MAX_SLACK_NS / 2 ** 7);
    expect(Math.abs(f.model_ticks_per_s - 870)).toBeLessThan(6);
  });
});
