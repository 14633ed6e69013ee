/**
 * Which of the model's numbers a prediction rests on: each cost (every stage's cost per packet, the
 * interrupt, the applications' costs per operation and per wake-up, the idle CPU's wake-up, the
 * wire's propagation and jitter) raised by the same fraction, one at a time, at one point, and the
 * effect on latency as an elasticity: (relative change of the percentile) / (relative change of
 * the parameter). 1 means the percentile moves in proportion; 0 means the prediction does not rest
 * on that number at this point.
 *
 * Every run uses the same seed and replications as the baseline, so each change is a paired
 * comparison (sim/compare.ts: per-replication differences, Student t) and its interval says whether
 * the model resolves the effect at this sample size. Parameters that are 0 are skipped (no relative
 * change). Cost: one simulated point per parameter, plus the baseline.
 */
import type { Scenario } from '../model/schema/scenario.ts';
import { type PairedDifference, pairedDifference } from './compare.ts';
import type { SimResult } from './result.ts';

/** A parameter to perturb: its --set path and its value in the scenario. */
export interface SensitivityParam {
  path: string;
  value: number;
}

export interface SensitivityRow {
  path: string;
  value: number;
  changed_value: number;
  /** (relative change of p50) / (relative change of the parameter); null when not comparable. */
  p50_elasticity: number | null;
  p99_elasticity: number | null;
  /** p99 difference against the baseline with its paired 95 % interval. */
  p99_diff_ms: number | null;
  p99_diff_ci95_ms: [number, number] | null;
  /** The interval of the p99 difference excludes 0. */
  p99_differs: boolean;
  saturated: boolean;
  bottleneck: string | null;
}

/** The costs of `s` that a prediction may rest on, as --set paths with their values (0s skipped). */
export function sensitivityParams(s: Scenario): SensitivityParam[] {
  const out: SensitivityParam[] = [];
  const add = (path: string, value: number) => {
    if (value > 0) out.push({ path, value });
  };
  for (const st of [...s.option.stages.tx, ...s.option.stages.rx])
    add(`option.stages.${st.name}.cost_ns_per_packet`, st.cost_ns_per_packet);
  add('host.nic.hardirq_cost_ns', s.host.nic.hardirq_cost_ns);
  const ng = s.host.apps.nginx;
  add('host.apps.nginx.cost_ns_per_request', ng.cost_ns_per_request);
  add('host.apps.nginx.cost_ns_per_wakeup', ng.cost_ns_per_wakeup);
  const tk = s.host.apps.tcpkali;
  add('host.apps.tcpkali.cost_ns_per_write', tk.cost_ns_per_write);
  add('host.apps.tcpkali.cost_ns_per_read', tk.cost_ns_per_read);
  add('host.apps.tcpkali.cost_ns_per_wakeup', tk.cost_ns_per_wakeup);
  add('host.cpu_wakeup.wakeup_ns', s.host.cpu_wakeup.wakeup_ns);
  add('wire.propagation_ns', s.wire.propagation_ns);
  add('wire.jitter_mean_ns', s.wire.jitter_mean_ns);
  return out;
}

/** The --set override that raises `p` by the fraction `change` (a whole number of ns stays whole). */
export function changedSet(p: SensitivityParam, change: number): { set: string; value: number } {
  const raw = p.value * (1 + change);
  const value = Number.isInteger(p.value) ? Math.round(raw) : Number(raw.toPrecision(12));
  return { set: `${p.path}=${value}`, value };
}

function elasticity(base: number, other: number, change: number): number | null {
  if (!(base > 0)) return null;
  return Math.round(((other - base) / base / change) * 1000) / 1000;
}

/** One row from the baseline and the run with parameter `p` raised by `change`. */
export function sensitivityRow(
  p: SensitivityParam,
  change: number,
  baseline: SimResult,
  changed: SimResult,
): SensitivityRow {
  const d: PairedDifference | null = pairedDifference(baseline, changed);
  const bl = baseline.latency_ms;
  const cl = changed.latency_ms;
  const changed_value = changedSet(p, change).value;
  // The change as applied (a whole number of ns was rounded).
  const applied = changed_value / p.value - 1;
  return {
    path: p.path,
    value: p.value,
    changed_value,
    p50_elasticity: bl && cl ? elasticity(bl.p50, cl.p50, applied) : null,
    p99_elasticity: bl && cl ? elasticity(bl.p99, cl.p99, applied) : null,
    p99_diff_ms: d ? d.latency_diff_ms.p99 : null,
    p99_diff_ci95_ms: d ? d.latency_diff_ci95_ms.p99 : null,
    p99_differs: d ? d.differs.p99 : false,
    saturated: changed.saturated,
    bottleneck: changed.bottleneck,
  };
}

/** Rows ordered by how much p99 rests on each parameter (largest |elasticity| first; saturated first of all). */
export function rankSensitivity(rows: SensitivityRow[]): SensitivityRow[] {
  const key = (r: SensitivityRow) =>
    r.saturated ? Number.POSITIVE_INFINITY : Math.abs(r.p99_elasticity ?? 0);
  return [...rows].sort((a, b) => key(b) - key(a));
}
