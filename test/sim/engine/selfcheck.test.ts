import { describe, expect, it } from 'vitest';
import { runSelfCheck } from '../../../sim/engine/selfcheck.ts';

describe('selfcheck', () => {
  it('agrees with theory on every row (small run in this thread) and reports simultaneous intervals', async () => {
    const r = await runSelfCheck({ seed: 3, replications: 6, customers: 10_000, workers: 0 });
    expect(r.rows.length).toBe(12);
    // Bonferroni: 12 checks at 1 - 0.05/12 each.
    expect(r.level_per_check).toBeCloseTo(1 - 0.05 / 12, 12);
    for (const row of r.rows) {
      expect(row.ci_lo).toBeLessThanOrEqual(row.simulated);
      expect(row.simulated).toBeLessThanOrEqual(row.ci_hi);
      expect(row.ok, `${row.system} ${row.metric}: ${row.theory} vs [${row.ci_lo}, ${row.ci_hi}]`).toBe(true);
    }
    expect(r.ok).toBe(true);
  });

  it('rejects parameters that cannot give intervals', async () => {
    await expect(runSelfCheck({ replications: 1, workers: 0 })).rejects.toThrow(/replications/);
    await expect(runSelfCheck({ customers: 10, workers: 0 })).rejects.toThrow(/customers/);
  });
});
