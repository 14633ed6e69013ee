/**
 * Lab acceptance (issue 5): calibrate on namespace-lab runs at two rates per option, predict the
 * third rate's p50 and the maximum rate, and report the errors against the issue's targets
 * (p50 within 15 %, maximum rate within 10 %).
 *
 * Phases:
 *   1. split    - per option: two calibration rates, one held-out rate, the wrk steps (lab-records.ts)
 *   2. costs    - nginx's and the generator's marginal CPU cost per request from the exact counters
 *                 of the calibration records only (lab-costs.ts), minus the model's own tx stages
 *   3. fit      - calibrate() on the calibration records with the lab's parameters and spread
 *                 (lab-params.ts), host profile netns-lab, the costs of 2. held fixed
 *   4. predict  - the held-out rate's p50 (seed + 1: not the fit's random numbers), compared with
 *                 the median p50 of its repeats
 *   5. maximum  - the highest rate the simulator carries (lab-max-rate.ts), with the host profile's
 *                 generator costs (wrk is a C generator, not the Node one of the p50 runs), compared
 *                 with the median of wrk's measured maxima and what bounded wrk (diagnoseWrk)
 * Nothing of the held-out rate or the wrk steps enters phases 2-3. Deterministic for a seed.
 */
import { PERCENTILE_KEYS, type PercentileKey, type SimResult } from '../sim/result.ts';
import { calibrate } from './fit.ts';
import { type FittedProfile, profileOverrides } from './fitted-profile.ts';
import { type LabCounterCosts, labCostOverrides, labCounterCosts } from './lab-costs.ts';
import { diagnoseWrk, searchMaxRate, type WrkDiagnosis } from './lab-max-rate.ts';
import { LAB_PARAMS, LAB_SIGMA } from './lab-params.ts';
import { type HeldOut, type LabOptionSplit, splitLabRecords } from './lab-records.ts';
import type { Predictor } from './predictor.ts';
import type { LabelledRecord } from './records.ts';
import { formatSetValue, loadSimulate, type SimulateFn, simulatePredictor } from './simulate-predictor.ts';

export const LAB_HOST = 'netns-lab';
export const P50_TARGET = 0.15;
export const MAX_RATE_TARGET = 0.1;

export interface LabAcceptanceOptions {
  simulate?: SimulateFn;
  seed?: number;
  /** Simulated requests per point per calibration evaluation (default 5000: p50-p99.5 resolved). */
  requests?: number;
  /** Simulated requests for the held-out prediction and each maximum-rate evaluation (default 20000). */
  predictRequests?: number;
  /** Nelder-Mead evaluations per stage (default 12). */
  budgetEvals?: number;
  heldOut?: HeldOut;
  /**
   * Percentiles the fit sees (default p50, p90): the lab is for p50, CPU cost and maximum rate;
   * its tails are co-tenant scheduling noise (lab-notes.md: p99 varies 2.5x between repeats) and
   * would drag the path costs towards fitting noise (measured: with every percentile, flannel-vxlan's
   * pass was fitted at 44 us per packet and its p50 predicted 85 % too high).
   */
  fitKeys?: readonly PercentileKey[];
  onLog?: (message: string) => void;
}

export interface OptionAcceptance {
  option: string;
  calibration_rates: number[];
  held_out_rate: number;
  counter_costs: LabCounterCosts;
  fixed_overrides: Record<string, number>;
  p50: {
    measured_ms: number;
    measured_repeats_ms: number[];
    /** (max - min) / median of the repeats: the lab's own noise at this point. */
    repeat_spread: number;
    predicted_ms: number | null;
    rel_error: number | null;
    target: number;
    met: boolean;
  };
  max_rate: {
    measured_rps: number;
    measured_repeats_rps: number[];
    predicted_rps: number;
    failing_rps: number;
    simulated_bottleneck: string | null;
    /** The same search with the Node open-loop generator's counter cost instead of a C generator's. */
    predicted_rps_node_generator: number;
    rel_error: number;
    target: number;
    met: boolean;
    wrk: WrkDiagnosis[];
    /** Non-null when the lab's maximum is bounded by something the model lacks. */
    lab_bound_note: string | null;
  };
}

export interface LabAcceptanceReport {
  host: string;
  seed: number;
  options: OptionAcceptance[];
  profile: FittedProfile;
  skipped: string[];
  notes: string[];
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function toSet(map: Record<string, number>): string[] {
  return Object.entries(map).map(([k, v]) => `${k}=${formatSetValue(v)}`);
}

/** The model's task-class tx work per request on each side (ns), from a simulation's stages. */
export function modelTxNs(res: Pick<SimResult, 'stages'>): { server: number; client: number } {
  const per = (side: 'server' | 'client', app: string) => {
    const reqs = res.stages.find((s) => s.stage === `${side}.app.${app}`)?.packets ?? 0;
    if (reqs === 0) return 0;
    const ns = res.stages
      .filter((s) => s.stage.startsWith(`${side}.tx.`) && s.cls === 'task')
      .reduce((a, s) => a + s.service_mean_us * 1e3 * s.packets, 0);
    return ns / reqs;
  };
  return { server: per('server', 'nginx'), client: per('client', 'tcpkali') };
}

function workloadOf(split: LabOptionSplit): Record<string, number> {
  const r = split.calibration[0]!.record;
  return { 'workload.connections': r.connections, 'workload.request_bytes': r.request_bytes };
}

export async function labAcceptance(
  records: readonly LabelledRecord[],
  o: LabAcceptanceOptions = {},
): Promise<LabAcceptanceReport> {
  const say = o.onLog ?? (() => {});
  const seed = o.seed ?? 1;
  const requests = o.requests ?? 5000;
  const predictRequests = o.predictRequests ?? 20_000;
  const sim = o.simulate ?? (await loadSimulate());
  const split = splitLabRecords(records, o.heldOut ?? 'highest');
  const notes: string[] = [];

  // 2. Counter costs per option, net of the model's own tx stages (one default simulation).
  const fixed = new Map<string, Record<string, number>>();
  const costs = new Map<string, LabCounterCosts>();
  for (const s of split.options) {
    const c = labCounterCosts(s.calibration);
    for (const n of c.notes) say(`${s.option}: ${n}`);
    const wl = workloadOf(s);
    const lowest = Math.min(...s.calibration.map((lr) => lr.record.requested_rps!));
    const base = await sim({
      option: s.option,
      host: LAB_HOST,
      rate_rps: lowest,
      response_bytes: s.calibration[0]!.record.response_bytes,
      set: toSet(wl),
      requests,
      seed,
      replications: 1,
      workers: 0,
    });
    const tx = modelTxNs(base);
    fixed.set(s.option, { ...wl, ...labCostOverrides(c, tx) });
    costs.set(s.option, c);
    say(
      `${s.option}: nginx ${c.nginx?.ns_per_request.toFixed(0) ?? '-'} ns/request, generator ${c.generator?.ns_per_request.toFixed(0) ?? '-'} ns/request (marginal, from counters); model tx stages server ${tx.server.toFixed(0)} ns, client ${tx.client.toFixed(0)} ns`,
    );
  }

  // 3. Fit, with the counter costs held fixed per option.
  const inner = simulatePredictor(LAB_HOST, { simulate: sim });
  const predictor: Predictor = (pt, set, run) => inner(pt, { ...fixed.get(pt.option), ...set }, run);
  const keys = new Set<PercentileKey>(o.fitKeys ?? ['p50', 'p90']);
  const calRecords = split.options.flatMap((s) =>
    s.calibration.map((lr) => ({
      file: lr.file,
      record: {
        ...lr.record,
        latency_ms: Object.fromEntries(
          Object.entries(lr.record.latency_ms).filter(([k]) => keys.has(k as PercentileKey)),
        ),
      },
    })),
  );
  const profile = await calibrate(calRecords, {
    predictor,
    params: LAB_PARAMS,
    host: LAB_HOST,
    seed,
    requests,
    budgetEvals: o.budgetEvals ?? 12,
    sigma: LAB_SIGMA,
    uncertainty: false,
    onLog: (m) => say(`calibrate: ${m}`),
  });

  // 4-5. Predict per option.
  const out: OptionAcceptance[] = [];
  for (const s of split.options) {
    const set = { ...fixed.get(s.option)!, ...profileOverrides(profile, s.option) };
    const bytes = s.held_out[0]!.record.response_bytes;
    const run = (rate: number, seedOf: number) =>
      sim({
        option: s.option,
        host: LAB_HOST,
        rate_rps: rate,
        response_bytes: bytes,
        set: toSet(set),
        requests: predictRequests,
        seed: seedOf,
        replications: 1,
        workers: 0,
      });
    const held = await run(s.held_out_rate, seed + 1);
    const reps = s.held_out.map((lr) => lr.record.latency_ms.p50).filter((x): x is number => x !== undefined);
    const measured = median(reps);
    const pred = held.saturated ? null : (held.latency_ms?.p50 ?? null);
    const relP50 = pred === null ? null : (pred - measured) / measured;

    // The maximum is measured with wrk, a C generator, not with the Node open-loop generator whose
    // counter cost the p50 runs carry: the search keeps the host profile's generator costs (a C
    // generator, tcpkali) and only nginx's counter cost and the fitted parameters.
    const maxSet = Object.fromEntries(
      Object.entries(set).filter(([k]) => !k.startsWith('host.apps.tcpkali.')),
    );
    const search = (over: Record<string, number>) =>
      searchMaxRate(
        async (rate) => {
          const r = await sim({
            option: s.option,
            host: LAB_HOST,
            rate_rps: rate,
            response_bytes: bytes,
            set: toSet(over),
            requests: predictRequests,
            seed: seed + 1,
            replications: 1,
            workers: 0,
          });
          return {
            saturated: r.saturated,
            achieved_rps: r.achieved_rps,
            bottleneck:
              r.bottleneck ??
              (r.achieved_rps < 0.97 * rate ? 'the simulated generator cannot send the offered rate' : null),
          };
        },
        Math.max(...s.rates),
      );
    const maxSearch = await search(maxSet);
    // For comparison only: the same search with the Node generator's counter cost on CPU 0.
    const nodeSearch = await search(set);
    const wrk = s.max_rate.map((lr) => diagnoseWrk(lr.record));
    const measuredMax = median(wrk.map((w) => w.achieved_rps));
    const relMax = (maxSearch.max_rate_rps - measuredMax) / measuredMax;
    const bounds = wrk.filter((w) => w.bound === 'shared cpus' || w.bound === 'closed loop latency');
    const labBound =
      bounds.length > wrk.length / 2
        ? `${bounds.length} of ${wrk.length} wrk steps were not bounded by the server path: ${bounds[0]!.explanation}`
        : null;
    const calRates = [...new Set(s.calibration.map((lr) => lr.record.requested_rps!))].sort((a, b) => a - b);
    const row: OptionAcceptance = {
      option: s.option,
      calibration_rates: calRates,
      held_out_rate: s.held_out_rate,
      counter_costs: costs.get(s.option)!,
      fixed_overrides: fixed.get(s.option)!,
      p50: {
        measured_ms: measured,
        measured_repeats_ms: reps,
        repeat_spread: reps.length > 1 ? (Math.max(...reps) - Math.min(...reps)) / measured : 0,
        predicted_ms: pred,
        rel_error: relP50,
        target: P50_TARGET,
        met: relP50 !== null && Math.abs(relP50) <= P50_TARGET,
      },
      max_rate: {
        measured_rps: measuredMax,
        measured_repeats_rps: wrk.map((w) => w.achieved_rps),
        predicted_rps: maxSearch.max_rate_rps,
        failing_rps: maxSearch.failing_rps,
        simulated_bottleneck: maxSearch.bottleneck_at_failing,
        predicted_rps_node_generator: nodeSearch.max_rate_rps,
        rel_error: relMax,
        target: MAX_RATE_TARGET,
        met: Math.abs(relMax) <= MAX_RATE_TARGET,
        wrk,
        lab_bound_note: labBound,
      },
    };
    say(
      `${s.option}: p50 @${s.held_out_rate} measured ${measured.toFixed(3)} ms (repeats ${reps.join(', ')}), predicted ${pred?.toFixed(3) ?? 'saturated'} ms, error ${relP50 === null ? '-' : `${(100 * relP50).toFixed(1)} %`}; max rate measured ${measuredMax.toFixed(0)}/s (wrk), simulated ${maxSearch.max_rate_rps}/s (${nodeSearch.max_rate_rps}/s with the Node generator's cost; fails at ${maxSearch.failing_rps}: ${maxSearch.bottleneck_at_failing ?? '-'}), error ${(100 * relMax).toFixed(1)} %${labBound ? `; ${labBound}` : ''}`,
    );
    out.push(row);
  }
  if (split.skipped.length) notes.push(...split.skipped.map((x) => `skipped ${x}`));
  notes.push(
    `percentiles fitted: ${[...keys].join(', ')}, with the lab's repeat spread (${PERCENTILE_KEYS.filter(
      (k) => k in LAB_SIGMA,
    )
      .map((k) => `${k} ${LAB_SIGMA[k]}`)
      .join(', ')}); tails are co-tenant noise (lab-notes.md)`,
  );
  return { host: LAB_HOST, seed, options: out, profile, skipped: split.skipped, notes };
}
