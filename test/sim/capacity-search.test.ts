import { describe, expect, it } from 'vitest';
import {
  type Evaluation,
  hostsNeeded,
  searchCapacity,
  searchCapacityAll,
} from '../../sim/capacity-search.ts';

/**
 * A monotone toy whose answer is known in closed form: latency = 1 / (1 - rate/C) ms (an M/M/1
 * mean with a 1 ms service time scaled to capacity C), with a CI of +-10 % around it, and
 * saturation at rate >= C. For an SLO of L ms the exact capacity is C (1 - 1/L); the CI ends
 * solve 1.1 x latency = L and 0.9 x latency = L.
 */
const C = 500_000;
const toy = async (rate: number): Promise<Evaluation> => {
  if (rate >= C) return { saturated: true, value_ms: null, ci_lo_ms: null, ci_hi_ms: null };
  const v = 1 / (1 - rate / C);
  return { saturated: false, value_ms: v, ci_lo_ms: 0.9 * v, ci_hi_ms: 1.1 * v };
};
const opts = { lo_rps: 10_000, hi_rps: 1_000_000, step_rps: 1000, rel_tol: 0.005, maxIterations: 20 };

describe('searchCapacity', () => {
  it('finds the closed-form capacity within the search resolution', async () => {
    const r = await searchCapacity(toy, { percentile: 'p99', limit_ms: 2 }, opts);
    // Exact: 250 000. The bracket is at most max(step, rel_tol x hi) = 5000 wide and the estimate is its low end.
    expect(r.max_rate_rps).toBeLessThanOrEqual(250_000);
    expect(r.max_rate_rps).toBeGreaterThan(250_000 - 5000);
    // The exact capacity lies in the final bracket [estimate, estimate + resolution).
    expect(r.resolution_rps).toBeLessThanOrEqual(5000);
    expect(r.max_rate_rps + r.resolution_rps).toBeGreaterThan(250_000);
    // CI ends: 1.1/(1-r/C) = 2 -> r = 225 000 (low end: a rate known to pass, within one bracket below);
    // 0.9/(1-r/C) = 2 -> r = 275 000 (high end: the first rate known to fail, within one bracket above).
    expect(r.ci95_rps[0]).toBeGreaterThan(225_000 - 5000);
    expect(r.ci95_rps[0]).toBeLessThanOrEqual(225_000);
    expect(r.ci95_rps[1]).toBeGreaterThan(275_000);
    expect(r.ci95_rps[1]).toBeLessThanOrEqual(275_000 + 5000);
    expect(r.at_upper_bound).toBe(false);
    expect(r.below_lower_bound).toBe(false);
  });

  it('reuses evaluations: three bisections cost fewer calls than three separate searches', async () => {
    let calls = 0;
    const counting = async (rate: number) => {
      calls++;
      return toy(rate);
    };
    const r = await searchCapacity(counting, { percentile: 'p99', limit_ms: 5 }, opts);
    expect(r.evaluations).toBe(calls);
    // Each bisection needs ~log2(990000/5000) ~ 8 steps plus 2 ends; shared ends and memoisation save some.
    expect(calls).toBeLessThan(3 * 10);
  });

  it('reports the bounds when the SLO is met everywhere or nowhere', async () => {
    const never = await searchCapacity(toy, { percentile: 'p99', limit_ms: 0.5 }, opts);
    expect(never.below_lower_bound).toBe(true);
    const always = await searchCapacity(
      toy,
      { percentile: 'p99', limit_ms: 10 },
      { ...opts, hi_rps: 200_000 },
    );
    expect(always.at_upper_bound).toBe(true);
    expect(always.max_rate_rps).toBe(200_000);
  });
});

/** The toy scaled: a second percentile at `f` times the first (same CI, same saturation). */
const scaled = (e: Evaluation, f: number): Evaluation =>
  e.saturated
    ? e
    : { saturated: false, value_ms: f * e.value_ms!, ci_lo_ms: f * e.ci_lo_ms!, ci_hi_ms: f * e.ci_hi_ms! };
const twoTerms = async (rate: number) => {
  const e = await toy(rate);
  return [e, scaled(e, 0.5)];
};

describe('searchCapacityAll (an SLO of several terms)', () => {
  it('is limited by the stricter term and finds what a search on that term alone finds', async () => {
    // Term 1: 1/(1-r/C) <= 2 -> 250k. Term 2: 0.5/(1-r/C) <= 5 -> 450k. Every rate that fails term 2
    // fails term 1, so the joint search is term 1's search, to the same rates.
    const joint = await searchCapacityAll(
      twoTerms,
      [
        { percentile: 'p99', limit_ms: 2 },
        { percentile: 'p99_9', limit_ms: 5 },
      ],
      opts,
    );
    const alone = await searchCapacity(toy, { percentile: 'p99', limit_ms: 2 }, opts);
    expect(joint.max_rate_rps).toBe(alone.max_rate_rps);
    expect(joint.ci95_rps).toEqual(alone.ci95_rps);
    expect(joint.resolution_rps).toBe(alone.resolution_rps);
    expect(joint.limited_by).toEqual(['p99']);
    expect(alone.limited_by).toEqual(['p99']);
  });

  it('names the other term when the limits change places', async () => {
    // Term 1: 1/(1-r/C) <= 10 -> 450k. Term 2: 0.5/(1-r/C) <= 0.8 -> r = C (1 - 0.625) = 187.5k.
    const joint = await searchCapacityAll(
      twoTerms,
      [
        { percentile: 'p99', limit_ms: 10 },
        { percentile: 'p99_9', limit_ms: 0.8 },
      ],
      opts,
    );
    expect(joint.max_rate_rps).toBeLessThanOrEqual(187_500);
    expect(joint.max_rate_rps + joint.resolution_rps).toBeGreaterThan(187_500);
    expect(joint.limited_by).toEqual(['p99_9']);
  });

  it('names every term a saturated point fails, and none when met up to the top', async () => {
    // Both limits above what the toy reaches before saturating at C: the first failing rate is saturated.
    const sat = await searchCapacityAll(
      twoTerms,
      [
        { percentile: 'p99', limit_ms: 1e9 },
        { percentile: 'p99_9', limit_ms: 1e9 },
      ],
      opts,
    );
    expect(sat.max_rate_rps).toBeLessThan(C);
    expect(sat.limited_by).toEqual(['p99', 'p99_9']);
    const top = await searchCapacityAll(
      twoTerms,
      [
        { percentile: 'p99', limit_ms: 10 },
        { percentile: 'p99_9', limit_ms: 10 },
      ],
      { ...opts, hi_rps: 200_000 },
    );
    expect(top.at_upper_bound).toBe(true);
    expect(top.limited_by).toBeNull();
  });
});

describe('hostsNeeded', () => {
  it('rounds up, and the CI swaps ends (more capacity, fewer hosts)', () => {
    expect(hostsNeeded(1_000_000, { max_rate_rps: 300_000, ci95_rps: [250_000, 400_000] })).toEqual({
      hosts: 4,
      ci95: [3, 4],
    });
  });
  it("never counts on a host carrying the interval's high end, a rate the search saw fail", () => {
    // 1.17M over a capacity below 390k (390k failed): 3 hosts would need 390k each, so at least 4.
    expect(hostsNeeded(1_170_000, { max_rate_rps: 385_000, ci95_rps: [380_000, 390_000] }).ci95[0]).toBe(4);
    // At the search's upper bound the high end was carried: 3 hosts of 390k do carry 1.17M.
    expect(
      hostsNeeded(1_170_000, { max_rate_rps: 390_000, ci95_rps: [390_000, 390_000], at_upper_bound: true })
        .ci95[0],
    ).toBe(3);
  });
  it('has no answer for zero capacity', () => {
    expect(hostsNeeded(1000, { max_rate_rps: 0, ci95_rps: [0, 0] }).hosts).toBeNull();
  });
});
