import { describe, expect, it } from 'vitest';
import { fitCpuBudget, kernelScaleOverrides, MIN_KERNEL_SCALE } from '../../calibration/lab-cpu-budget.ts';
import { loadOption } from '../../model/load.ts';

/** The model's own work per request (ns) on nginx's and the generator's CPUs, as the lab profile gives it. */
const MODEL: Record<string, { server: number; client: number }> = {
  'net-host': { server: 14_900, client: 8_600 },
  'flannel-host-gw': { server: 27_300, client: 14_800 },
  'flannel-vxlan': { server: 39_300, client: 20_800 },
};

/** Measured costs made exactly from app costs and one kernel factor: the fit must give them back. */
function exact(app: { nginx: number; generator: number }, k: number) {
  return Object.entries(MODEL).map(([option, m]) => ({
    option,
    model: m,
    measured: { server: app.nginx + k * m.server, client: app.generator + k * m.client },
  }));
}

describe('fitCpuBudget', () => {
  it('recovers the apps’ own costs and the kernel factor from consistent costs', () => {
    const fit = fitCpuBudget(exact({ nginx: 8_600, generator: 12_200 }, 0.49));
    expect(fit.method).toBe('least squares');
    expect(fit.app_ns.nginx).toBeCloseTo(8_600, 6);
    expect(fit.app_ns.generator).toBeCloseTo(12_200, 6);
    expect(fit.kernel_scale).toBeCloseTo(0.49, 9);
    for (const r of Object.values(fit.residual_ns)) {
      expect(Math.abs(r.server!)).toBeLessThan(1e-6);
      expect(Math.abs(r.client!)).toBeLessThan(1e-6);
    }
  });

  it('minimises the squared residuals when the costs are not consistent (residuals orthogonal to every column)', () => {
    const inputs = exact({ nginx: 8_600, generator: 12_200 }, 0.49);
    inputs[1]!.measured.client! += 3_800; // host-gw's generator side measured 3.8 us higher
    const fit = fitCpuBudget(inputs);
    const r = inputs.map((i) => fit.residual_ns[i.option]!);
    // Normal equations: the server residuals sum to 0 (nginx column), the client residuals too
    // (generator column), and sum over options of S_server r_server + S_client r_client = 0 (k).
    expect(Math.abs(r.reduce((a, x) => a + x.server!, 0))).toBeLessThan(1e-6);
    expect(Math.abs(r.reduce((a, x) => a + x.client!, 0))).toBeLessThan(1e-6);
    const kCol = inputs.reduce(
      (a, i, j) => a + i.model.server * r[j]!.server! + i.model.client * r[j]!.client!,
      0,
    );
    expect(Math.abs(kCol)).toBeLessThan(1e-2);
    expect(fit.kernel_scale_se).toBeGreaterThan(0);
    expect(Math.max(...r.map((x) => Math.abs(x.client!)))).toBeGreaterThan(100);
  });

  it('fits with one side unmeasured (no generator counters)', () => {
    const inputs = exact({ nginx: 5_000, generator: 0 }, 0.7).map((i) => ({
      ...i,
      measured: { server: i.measured.server, client: null },
    }));
    const fit = fitCpuBudget(inputs);
    expect(fit.app_ns.generator).toBeNull();
    expect(fit.app_ns.nginx).toBeCloseTo(5_000, 6);
    expect(fit.kernel_scale).toBeCloseTo(0.7, 9);
  });

  it('clips a negative app cost at 0 and refits without it', () => {
    // nginx's measured costs below the model's own work: its own cost would be negative.
    const inputs = exact({ nginx: 0, generator: 2_000 }, 1);
    for (const i of inputs) i.measured.server! -= 2_000;
    const fit = fitCpuBudget(inputs);
    expect(fit.app_ns.nginx).toBe(0);
    expect(fit.notes.join(' ')).toMatch(/nginx's own cost came out negative/);
    expect(fit.kernel_scale).toBeGreaterThan(MIN_KERNEL_SCALE);
    expect(fit.kernel_scale).toBeLessThan(1);
  });

  it('with one option keeps the profile’s kernel costs and says the split is not identifiable', () => {
    const fit = fitCpuBudget([
      {
        option: 'net-host',
        measured: { server: 20_000, client: null },
        model: { server: 14_000, client: 8_000 },
      },
    ]);
    expect(fit.kernel_scale).toBe(1);
    expect(fit.app_ns).toEqual({ nginx: 6_000, generator: null });
    expect(fit.notes[0]).toMatch(/not identifiable/);
  });
});

describe('kernelScaleOverrides', () => {
  it('scales every tx and rx stage of the option, per packet and per byte', () => {
    const o = loadOption('flannel-vxlan');
    const set = kernelScaleOverrides('flannel-vxlan', 0.5);
    const stages = [...o.stages.tx, ...o.stages.rx];
    expect(Object.keys(set)).toHaveLength(2 * stages.length);
    for (const st of stages) {
      expect(set[`option.stages.${st.name}.cost_ns_per_packet`]).toBe(Math.round(st.cost_ns_per_packet / 2));
      expect(set[`option.stages.${st.name}.cost_ns_per_byte`]).toBeCloseTo(st.cost_ns_per_byte / 2, 6);
    }
  });
});
