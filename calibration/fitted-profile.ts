/**
 * The fitted profile: what `cnisim calibrate` writes and `simulate --profile` / `validate` read.
 *
 * Contract with sim/simulate: `host` names the host profile the parameters were fitted for, and
 * `params` maps a `--set` path to `{ value, sd? }`, applied as overrides to every option.
 * Parameters fitted for one option only (its extra stages, its drop behaviour) are in
 * `option_params[<option id>]`, applied after `params` when that option is simulated.
 *
 * A parameter with `by_rate` takes its value at the simulated rate (model/param-by-rate.ts).
 *
 * `sd` is one standard deviation of the parameter, in its own unit, from the loss profile at the
 * optimum (see `uncertainty.method`); absent when the parameter was not fitted (kept at the prior).
 * Everything else is provenance: the runs used, the fit error per percentile, seed, versions, times.
 */
import { z } from 'zod';
import { valueAtRate } from '../model/param-by-rate.ts';

export const FITTED_PROFILE_VERSION = 1 as const;

/** Where `cnisim calibrate` writes by default, and where the studies look for a profile. */
export const FITTED_PROFILE_PATH = 'out/profiles/fitted.json';

const ParamValue = z
  .object({
    value: z.number(),
    sd: z.number().nonnegative().optional(),
    /** The model takes whole numbers here; `value` is rounded and perturbations must be too. */
    integer: z.boolean().optional(),
    /** How the value was obtained. */
    source: z.enum(['fitted', 'regression', 'closed-form', 'fixed']).optional(),
    /** Search bounds used. */
    lower: z.number().optional(),
    upper: z.number().optional(),
    /** Loss-profile interval (value at loss + 0.5 on each side along this axis). */
    interval: z.tuple([z.number(), z.number()]).optional(),
    /**
     * A value that depends on the simulated rate: `values` at `rates_rps`, linear in log(rate)
     * between and beyond them, never below 0 (model/param-by-rate.ts); `value` is the one at
     * `rates_rps[0]`. Written by the lab calibration's cost basis `by-rate`.
     */
    by_rate: z
      .object({
        rates_rps: z.tuple([z.number().positive(), z.number().positive()]),
        values: z.tuple([z.number(), z.number()]),
      })
      .strict()
      .refine((b) => b.rates_rps[1] > b.rates_rps[0], 'rates_rps must be ascending')
      .optional(),
  })
  .strict();
export type ParamValue = z.infer<typeof ParamValue>;

const ParamMap = z.record(z.string().min(1), ParamValue);

const FitErrorRow = z
  .object({
    run: z.string(),
    option: z.string(),
    rate_rps: z.number(),
    response_bytes: z.number(),
    percentile: z.string(),
    measured_ms: z.number(),
    /** Censoring interval of the measurement, ms. */
    interval_ms: z.tuple([z.number(), z.number()]),
    predicted_ms: z.number().nullable(),
    /** (predicted - measured) / measured. */
    rel_error: z.number().nullable(),
    /** Signed log-distance to the interval (0 inside). */
    log_distance: z.number().nullable(),
    used_in_fit: z.boolean(),
    why_not_used: z.string().optional(),
  })
  .strict();
export type FitErrorRow = z.infer<typeof FitErrorRow>;

const CpuClassCost = z
  .object({
    cls: z.enum(['hardirq', 'softirq', 'task']),
    cost_ns_per_packet: z.object({ value: z.number(), se: z.number() }),
    cost_ns_per_byte: z.object({ value: z.number(), se: z.number() }).nullable(),
    background_cpus: z.object({ value: z.number(), se: z.number() }),
    r2: z.number(),
    points: z.number().int(),
  })
  .strict();

const StageSummary = z
  .object({
    name: z.string(),
    scope: z.string(),
    params: z.array(z.string()),
    loss_start: z.number(),
    loss_end: z.number(),
    evals: z.number().int(),
    points: z.number().int(),
    stop: z.string(),
    /** Simulated requests per point in this stage. */
    requests: z.number().int().positive().optional(),
    wall_s: z.number().optional(),
  })
  .strict();

export const FittedProfile = z
  .object({
    profile_version: z.literal(FITTED_PROFILE_VERSION),
    kind: z.literal('cnisim-fitted-profile'),
    /** Host profile id the simulator runs with (e.g. `c4.8xlarge`). */
    host: z.string().min(1),
    /** Host keys of the records fitted (hosts.server.machine or name); validate checks against these. */
    record_hosts: z.array(z.string()).min(1),
    params: ParamMap,
    option_params: z.record(z.string(), ParamMap).default({}),
    cpu_costs: z
      .object({
        classes: z.array(CpuClassCost),
        notes: z.array(z.string()),
        records_used: z.array(z.string()),
      })
      .strict()
      .optional(),
    fit_error: z.array(FitErrorRow),
    /** Mean absolute relative error over the fitted points, per percentile key. */
    fit_error_by_percentile: z.record(z.string(), z.number()),
    runs: z.array(
      z
        .object({
          file: z.string(),
          run_id: z.string(),
          /** The record's step and repeat in its run (absent in profiles before 0.x: run_id alone then). */
          step_index: z.number().int().nonnegative().optional(),
          repeat: z.number().int().nonnegative().optional(),
          option: z.string(),
          rate_rps: z.number(),
          response_bytes: z.number(),
          source: z.string(),
        })
        .strict(),
    ),
    stages: z.array(StageSummary),
    uncertainty: z
      .object({
        method: z.string(),
        delta_loss: z.number(),
        note: z.string(),
      })
      .strict(),
    loss: z.object({ description: z.string(), sigma: z.record(z.string(), z.number()) }).strict(),
    seed: z.number(),
    requests_per_eval: z.number().int().positive(),
    cnisim_version: z.string(),
    simulator: z.string(),
    started_at: z.iso.datetime(),
    finished_at: z.iso.datetime(),
    warnings: z.array(z.string()),
  })
  .strict();
export type FittedProfile = z.infer<typeof FittedProfile>;

/** The overrides for one option: shared params, then the option's own, as `path=value` strings. */
export function profileOverrides(
  p: Pick<FittedProfile, 'params' | 'option_params'>,
  option: string,
  rate_rps?: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  const at = (v: ParamValue) =>
    v.by_rate && rate_rps !== undefined ? valueAtRate(v.by_rate, rate_rps) : v.value;
  for (const [k, v] of Object.entries(p.params)) out[k] = at(v);
  for (const [k, v] of Object.entries(p.option_params[option] ?? {})) out[k] = at(v);
  return out;
}

export function fittedProfileJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(FittedProfile, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
}
