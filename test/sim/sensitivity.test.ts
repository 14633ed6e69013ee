import { describe, expect, it } from 'vitest';
import { normalize } from '../../model/compile/normalize.ts';
import type { SimResult } from '../../sim/result.ts';
import {
  changedSet,
  rankSensitivity,
  type SensitivityRow,
  sensitivityParams,
  sensitivityRow,
} from '../../sim/sensitivity.ts';
import { simulate } from '../../sim/simulate.ts';
import { cnisim } from '../cli/helpers/run-cnisim.ts';

describe('sensitivityParams / changedSet / rankSensitivity', () => {
  it('lists every stage cost of the option and the host costs, skipping zeros', () => {
    const s = normalize({ option: 'flannel-vxlan', workload: { rate_rps: 1000, response_bytes: 350 } });
    const paths = sensitivityParams(s).map((p) => p.path);
    for (const st of [...s.option.stages.tx, ...s.option.stages.rx])
      expect(paths).toContain(`option.stages.${st.name}.cost_ns_per_packet`);
    expect(paths).toContain('wire.propagation_ns');
    const lab = normalize({
      option: 'net-host',
      host: 'netns-lab',
      workload: { rate_rps: 1000, response_bytes: 350 },
    });
    expect(lab.wire.jitter_mean_ns).toBe(0);
    expect(sensitivityParams(lab).map((p) => p.path)).not.toContain('wire.jitter_mean_ns');
  });

  it('keeps whole numbers of ns whole', () => {
    expect(changedSet({ path: 'x', value: 3 }, 0.2)).toEqual({ set: 'x=4', value: 4 });
    expect(changedSet({ path: 'x', value: 0.5 }, 0.2)).toEqual({ set: 'x=0.6', value: 0.6 });
  });

  it('ranks saturating changes first, then by |p99 elasticity|', () => {
    const row = (path: string, e: number, saturated = false) =>
      ({ path, p99_elasticity: e, saturated }) as SensitivityRow;
    const ranked = rankSensitivity([row('a', 0.1), row('b', -0.5), row('c', 0, true), row('d', 0.3)]);
    expect(ranked.map((r) => r.path)).toEqual(['c', 'b', 'd', 'a']);
  });
});

describe('sensitivity at a light load, against arithmetic', () => {
  it('propagation crosses the wire twice per request: p50 elasticity = 2 x propagation / p50', async () => {
    // At 5000/s the queues are empty and an interrupt finds its moderation interval long over
    // (a queue's packets arrive ~400 us apart, the interval is 10 us), so raising the one-way
    // propagation by D delays every response by exactly 2 D and the p50 by 2 D. The 5 % tolerance
    // covers the latency histogram's resolution on the ~40 us shift and the rare request that
    // meets another's interrupt.
    const req = {
      option: 'net-host',
      rate_rps: 5000,
      response_bytes: 350,
      requests: 10_000,
      replications: 2,
      workers: 0,
      replication_percentiles: true,
    };
    const base: SimResult = await simulate(req);
    const p = { path: 'wire.propagation_ns', value: 100_000 };
    const changed = await simulate({ ...req, set: [changedSet(p, 0.2).set] });
    const row = sensitivityRow(p, 0.2, base, changed);
    const expected = (2 * 0.1) / base.latency_ms!.p50;
    expect(row.p50_elasticity!).toBeGreaterThan(expected * 0.95);
    expect(row.p50_elasticity!).toBeLessThan(expected * 1.05);
    expect(row.p99_differs).toBe(true);
  });

  it('refuses a change outside (0, 1] and a single replication (exit 3)', () => {
    const base = ['sensitivity', '--option', 'net-host', '--rate', '5000', '--response-bytes', '350'];
    const big = cnisim(...base, '--change', '2');
    expect(big.code).toBe(3);
    expect(big.err).toMatch(/--change: must be a fraction in \(0, 1\]/);
    const one = cnisim(...base, '--replications', '1');
    expect(one.code).toBe(3);
    expect(one.err).toMatch(/--replications: paired intervals need at least 2/);
  });
});
