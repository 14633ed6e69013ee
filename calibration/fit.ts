/**
 * Calibration: fits the model's free parameters to run records and returns a fitted profile.
 *
 * Phases (each a function below):
 *   1. check     - records usable, one host (unless allowed), monotone percentiles (record-checks.ts)
 *   2. cpu       - CPU cost per packet/byte per class from trustworthy counters (cpu-costs.ts)
 *   3. plan      - stages: the host's parameters on the reference option (net-host when present),
 *                  then each other option's own parameters with the host's fixed; within each, a
 *                  `base` stage (base/wake-up latency from the low percentiles at the lowest rate)
 *                  before an `all` stage (every parameter, every usable percentile, retransmission
 *                  fraction). Without a reference option, one joint stage pair over all records.
 *   4. optimise  - bounded Nelder-Mead with restarts (nelder-mead.ts) over simulator runs with common
 *                  random numbers: every evaluation uses the same seed and request count, so the loss
 *                  surface is deterministic and differences between points are not sampling noise.
 *   5. uncertain - axis-wise loss profile at the optimum of each `all` stage (uncertainty.ts).
 *   6. report    - predictions at the final parameters for every record: fit error per percentile.
 * Each option's loss probability is not optimised: it follows from the retransmission tail in
 * closed form (loss-from-tail.ts) and is applied from the start.
 *
 * Deterministic for a given seed, request count, budget and predictor; timestamps come from the
 * injected clock and are the only wall-clock values in the output.
 */
import type { PercentileKey } from '../sim/result.ts';
import { type LossTerm, censoredLoss, DEFAULT_SIGMA } from './censored-loss.ts';
import { fitCpuCosts } from './cpu-costs.ts';
import { CalibrationInputError } from './errors.ts';
import {
  FITTED_PROFILE_VERSION,
  type FitErrorRow,
  type FittedProfile,
  type ParamValue,
} from './fitted-profile.ts';
import { lossFromTail } from './loss-from-tail.ts';
import { nelderMead } from './nelder-mead.ts';
import { appliesTo, initialValue, type ParamSpec } from './params.ts';
import { type Prediction, type PredictPoint, type Predictor, pointKey } from './predictor.ts';
import { allTailsNote, checkRecords, describeFiles, recordPointError } from './record-checks.ts';
import { hostProfileOf, type LabelledRecord, measuredPercentiles, recordRate } from './records.ts';
import {
  countTerms,
  DEFAULT_TERM_OPTIONS,
  highestUsedQuantile,
  recordTerms,
  type TermOptions,
  tailTarget,
} from './terms.ts';
import { type AxisInterval, axisIntervals } from './uncertainty.ts';
import { fromUnit1, toUnit1 } from './unit-box.ts';

export interface CalibrateOptions {
  predictor: Predictor;
  params: readonly ParamSpec[];
  /** Host profile id the predictor simulates. */
  host: string;
  seed: number;
  /** Simulated requests per evaluation of one point. */
  requests: number;
  /**
   * Stages with parameters that shape high quantiles (`needs_quantile`) simulate as many requests as
   * those quantiles need, up to this cap; default `requests` (no stage simulates more).
   */
  maxRequests?: number;
  /** Objective evaluations per stage (each evaluation simulates every point of the stage once). */
  budgetEvals: number;
  allowMixedHosts?: boolean;
  /** Option whose records fit the host-scope parameters; default `net-host` when present. */
  referenceOption?: string | null;
  sigma?: Partial<Record<PercentileKey, number>>;
  minTailSamples?: number;
  rtoThresholdMs?: number;
  /** Compute the axis-wise loss-profile intervals (costs extra evaluations); default true. */
  uncertainty?: boolean;
  onProgress?: (e: { stage: string; evals: number; budget: number; best: number }) => void;
  onLog?: (message: string) => void;
  /**
   * Where each option's loss probability lives (its last receive stage; `lastRxStage` reads the
   * model file). When given, losses are estimated from the retransmission tails in closed form
   * (loss-from-tail.ts); when absent, no loss parameter is written (analytic test models fit their
   * own drop parameters through `params`).
   */
  lossStage?: (option: string) => string;
  now?: () => Date;
  version?: string;
  simulator?: string;
}

/** A free parameter in a stage: a spec, and the option it belongs to (null for host scope). */
interface Slot {
  spec: ParamSpec;
  option: string | null;
}

interface Stage {
  name: string;
  scope: string;
  slots: Slot[];
  records: LabelledRecord[];
  keys?: ReadonlySet<PercentileKey>;
  withTail: boolean;
  /** Simulated requests per point in this stage. */
  requests: number;
}

const BASE_KEYS: ReadonlySet<PercentileKey> = new Set(['p50', 'p90', 'p95', 'p99']);

function slotKey(s: Slot): string {
  return `${s.option ?? '*'}|${s.spec.path}`;
}

function pointOf(lr: LabelledRecord): PredictPoint {
  return {
    option: lr.record.option,
    rate_rps: recordRate(lr.record),
    response_bytes: lr.record.response_bytes,
    request_bytes: lr.record.request_bytes,
  };
}

export async function calibrate(
  records: readonly LabelledRecord[],
  o: CalibrateOptions,
): Promise<FittedProfile> {
  const started = (o.now ?? (() => new Date()))();
  const say = o.onLog ?? (() => {});
  const checked = checkRecords(records, { allowMixedHosts: o.allowMixedHosts ?? false });
  const usable = checked.usable;
  const warnings = [...checked.warnings];
  for (const w of warnings) say(w);

  const sigma: Record<PercentileKey, number> = { ...DEFAULT_SIGMA, ...o.sigma };
  const termOpts: TermOptions = {
    ...DEFAULT_TERM_OPTIONS,
    sigma,
    requests: o.requests,
    minTailSamples: o.minTailSamples ?? DEFAULT_TERM_OPTIONS.minTailSamples,
    rtoThresholdMs: o.rtoThresholdMs ?? DEFAULT_TERM_OPTIONS.rtoThresholdMs,
  };

  // A record whose every percentile is a retransmission tail is fitted as no latency at all: say so
  // (latencies in µs look like this).
  for (const lr of usable) {
    const note = allTailsNote(lr, termOpts.rtoThresholdMs);
    if (note === null) continue;
    warnings.push(note);
    say(note);
  }

  // 2. CPU costs from counters (reported; the stage-cost paths they map to are model-specific).
  const cpu = fitCpuCosts(usable);
  for (const n of cpu.notes) say(`cpu: ${n}`);

  // 3. Plan.
  const options = [...new Set(usable.map((r) => r.record.option))].sort();
  const stages = planStages(usable, options, o, termOpts, warnings);
  if (stages.length === 0)
    throw new CalibrationInputError(
      '--params',
      o.params.map((p) => p.path),
      'no free parameter applies to the options in --runs',
    );

  // Fixed values: start at the initial values; each stage writes its optimum back.
  const values = new Map<string, number>();
  for (const opt of options)
    for (const spec of o.params)
      if (appliesTo(spec, opt))
        values.set(slotKey({ spec, option: spec.scope === 'host' ? null : opt }), initialValue(spec));
  const intervals = new Map<string, AxisInterval>();

  // Loss probabilities come from the retransmission tails in closed form (loss-from-tail.ts), before
  // the optimisation: at tail fractions of 1e-5 they do not move the percentiles being fitted.
  const losses = new Map(
    options.flatMap((opt) => {
      const est = o.lossStage ? lossFromTail(opt, usable, termOpts.rtoThresholdMs, o.lossStage) : null;
      if (est) for (const line of est.evidence) say(`loss ${opt}: ${line}`);
      return est ? [[opt, est] as const] : [];
    }),
  );
  const overridesFor = (option: string): Record<string, number> => {
    const set: Record<string, number> = {};
    const loss = losses.get(option);
    if (loss) set[loss.path] = loss.value.value;
    for (const spec of o.params) {
      if (!appliesTo(spec, option)) continue;
      const v = values.get(slotKey({ spec, option: spec.scope === 'host' ? null : option }));
      if (v !== undefined) set[spec.path] = spec.integer ? Math.round(v) : v;
    }
    return set;
  };

  const cache = new Map<string, Prediction>();
  const predict = async (
    lr: LabelledRecord,
    set: Record<string, number>,
    requests: number,
  ): Promise<Prediction> => {
    const pt = pointOf(lr);
    const key = `${pointKey(pt)}#${requests}#${JSON.stringify(Object.entries(set).sort())}`;
    const hit = cache.get(key);
    if (hit) return hit;
    let p: Prediction;
    try {
      p = await o.predictor(pt, set, { seed: o.seed, requests });
    } catch (err) {
      // The simulator names its request's fields (rate_rps, option): restate them as the record's.
      throw recordPointError(err, lr);
    }
    cache.set(key, p);
    return p;
  };

  const stageLoss = async (st: Stage): Promise<number> => {
    const terms: LossTerm[] = [];
    for (const lr of st.records) {
      const pred = await predict(lr, overridesFor(lr.record.option), st.requests);
      terms.push(
        ...recordTerms(
          lr.record,
          pred,
          { ...termOpts, requests: st.requests, ...(st.keys ? { keys: st.keys } : {}) },
          st.withTail,
        ).terms,
      );
    }
    return censoredLoss(terms);
  };

  const summaries: FittedProfile['stages'] = [];
  for (const st of stages) {
    const t0 = Date.now();
    const bounds = st.slots.map((s) => ({
      lower: s.spec.lower,
      upper: s.spec.upper,
      log: s.spec.log ?? false,
    }));
    const x0 = st.slots.map((s) => values.get(slotKey(s))!);
    const setSlots = (x: readonly number[]) => {
      for (const [i, s] of st.slots.entries()) values.set(slotKey(s), x[i]!);
    };
    setSlots(x0);
    const loss0 = await stageLoss(st);
    say(
      `stage ${st.name}: ${st.slots.length} parameters, ${st.records.length} records, ${st.requests} requests per point, start loss ${loss0.toPrecision(4)}`,
    );
    const res = await nelderMead(
      async (x) => {
        setSlots(x);
        return stageLoss(st);
      },
      x0,
      bounds,
      {
        maxEvals: o.budgetEvals,
        // A simulated loss needs no more than ~1 % precision in a parameter (2e-3 of a log range of
        // 1.5-4 decades) and loss changes below 1e-3 (of 0.5 z^2) are noise; 0 is the floor.
        xTol: 2e-3,
        fTol: 1e-3,
        maxRestarts: 2,
        fTarget: 0,
        onEval: (evals, best) => o.onProgress?.({ stage: st.name, evals, budget: o.budgetEvals, best }),
      },
    );
    setSlots(res.x);
    if (o.uncertainty !== false && st.name.endsWith('/all')) {
      const uOpt = res.x.map((v, i) => toUnit1(bounds[i]!, v));
      const iv = await axisIntervals(
        uOpt,
        res.value,
        async (i, u) => {
          const x = res.x.slice();
          x[i] = fromUnit1(bounds[i]!, u);
          setSlots(x);
          const l = await stageLoss(st);
          setSlots(res.x);
          return l;
        },
        (i, u) => fromUnit1(bounds[i]!, u),
        // 2 decades of bracketing (0.02 .. 0.54 of the range) and 2 bisections per side; the
        // whole walk costs at most one stage budget.
        { firstStep: 0.02, expandSteps: 4, bisections: 2, maxEvals: o.budgetEvals },
      );
      for (const [i, s] of st.slots.entries()) intervals.set(slotKey(s), iv[i]!);
    }
    summaries.push({
      name: st.name,
      scope: st.scope,
      params: st.slots.map((s) => s.spec.path),
      loss_start: loss0,
      loss_end: res.value,
      evals: res.evals,
      points: st.records.reduce(
        (n, lr) =>
          n +
          countTerms(
            lr.record,
            { ...termOpts, requests: st.requests, ...(st.keys ? { keys: st.keys } : {}) },
            st.withTail,
          ),
        0,
      ),
      stop: res.stop,
      requests: st.requests,
      wall_s: (Date.now() - t0) / 1000,
    });
    say(
      `stage ${st.name}: loss ${loss0.toPrecision(4)} -> ${res.value.toPrecision(4)} in ${res.evals} evaluations (${res.stop})`,
    );
  }

  // 6. Report: fit error for every record at the final parameters.
  const fitError: FitErrorRow[] = [];
  // Each record is reported at the request count of the last stage that fitted its option.
  const reportRequests = new Map<string, number>();
  for (const st of stages) for (const lr of st.records) reportRequests.set(lr.record.option, st.requests);
  let retransInside = 0;
  const saturatedAtFit: string[] = [];
  for (const lr of usable) {
    const requests = reportRequests.get(lr.record.option) ?? o.requests;
    const pred = await predict(lr, overridesFor(lr.record.option), requests);
    if (pred.saturated) saturatedAtFit.push(lr.file);
    const usage = recordTerms(lr.record, pred, { ...termOpts, requests }, false).usage;
    for (const m of measuredPercentiles(lr.record)) {
      const p = pred.latency_ms?.[m.key];
      const u = usage.find((x) => x.key === m.key);
      fitError.push({
        run: lr.file,
        option: lr.record.option,
        rate_rps: recordRate(lr.record),
        response_bytes: lr.record.response_bytes,
        percentile: m.key,
        measured_ms: m.measured_ms,
        interval_ms: [m.interval.lo, m.interval.hi],
        predicted_ms: p ?? null,
        rel_error: p === undefined || m.measured_ms === 0 ? null : (p - m.measured_ms) / m.measured_ms,
        log_distance:
          p === undefined
            ? null
            : p < m.interval.lo
              ? Math.log(p / m.interval.lo)
              : p > m.interval.hi
                ? Math.log(p / m.interval.hi)
                : 0,
        // A percentile the fitted model does not predict (the point saturates) fits nothing.
        used_in_fit: p !== undefined && (u?.used ?? false),
        ...(p === undefined
          ? { why_not_used: 'predicted saturated at the fitted values' }
          : u && !u.used && u.why
            ? { why_not_used: u.why }
            : {}),
      });
    }
    const tt = tailTarget(lr.record, termOpts.rtoThresholdMs);
    const frac = pred.retransmits / Math.max(1, pred.requests);
    // One line per record only where the simulation leaves the measured bounds; a count otherwise.
    if (frac < tt.interval.lo || frac > tt.interval.hi)
      say(
        `${lr.file}: retransmission fraction simulated ${frac.toExponential(2)}, outside the measured bounds [${tt.interval.lo.toExponential(1)}, ${tt.interval.hi.toExponential(1)}] (${tt.from})`,
      );
    else retransInside++;
  }
  if (usable.length > 0)
    say(
      `retransmission fraction inside the measured bounds for ${retransInside} of ${usable.length} records`,
    );
  const byKey: Record<string, number[]> = {};
  for (const r of fitError)
    if (r.used_in_fit && r.rel_error !== null) {
      const list = byKey[r.percentile] ?? [];
      list.push(Math.abs(r.rel_error));
      byKey[r.percentile] = list;
    }
  const fitErrorByPercentile = Object.fromEntries(
    Object.entries(byKey).map(([k, v]) => [k, v.reduce((s, x) => s + x, 0) / v.length]),
  );

  const fitted = new Set(stages.flatMap((s) => s.slots.map(slotKey)));
  const paramValue = (s: Slot): ParamValue => {
    const k = slotKey(s);
    const iv = intervals.get(k);
    const v = values.get(k)!;
    return {
      value: s.spec.integer ? Math.round(v) : v,
      ...(s.spec.integer ? { integer: true } : {}),
      ...(iv ? { sd: iv.sd, interval: [iv.lower, iv.upper] as [number, number] } : {}),
      source: fitted.has(k) ? 'fitted' : 'fixed',
      lower: s.spec.lower,
      upper: s.spec.upper,
    };
  };
  const params: Record<string, ParamValue> = {};
  const optionParams: Record<string, Record<string, ParamValue>> = {};
  for (const spec of o.params) {
    if (spec.scope === 'host') {
      if (options.some((opt) => appliesTo(spec, opt))) params[spec.path] = paramValue({ spec, option: null });
      continue;
    }
    for (const opt of options) {
      if (!appliesTo(spec, opt)) continue;
      const m = optionParams[opt] ?? {};
      m[spec.path] = paramValue({ spec, option: opt });
      optionParams[opt] = m;
    }
  }
  for (const [opt, est] of losses)
    optionParams[opt] = { ...(optionParams[opt] ?? {}), [est.path]: est.value };
  // Records the run carried that the fitted model cannot: no parameter value fits them, however
  // the fit labels its parameters (the host may not be the records' machine). When that is every
  // record, nothing was fitted: the values are the starting ones, and a profile would call them
  // fitted, so none is written.
  if (usable.length > 0 && saturatedAtFit.length === usable.length) {
    const machines = [...new Set(usable.map((lr) => hostProfileOf(lr.record)))];
    throw new CalibrationInputError(
      '--host',
      o.host,
      `every record (${usable.length}, e.g. ${saturatedAtFit[0]}) is predicted saturated on this host at the fitted values: the model does not carry the rates the runs carried, so nothing could be fitted and no profile is written; ${
        machines.includes(o.host)
          ? "it is the records' machine: widen the parameters' bounds (--params) or check the records' rates"
          : `give --host the records' machine (${machines.join(', ')})`
      }`,
    );
  }
  if (saturatedAtFit.length > 0)
    warnings.push(
      `${saturatedAtFit.length} of ${usable.length} record(s) are predicted saturated at the fitted values (e.g. ${saturatedAtFit[0]}): the model on host ${o.host} does not carry the rate the run carried, so their percentiles were not fitted; check --host and the parameters' bounds`,
    );
  for (const [k, iv] of intervals)
    if (!iv.complete)
      warnings.push(
        `${k.replace(/^\*\|/, '')}: uncertainty walk cut short by the evaluation budget; its interval is approximate`,
      );
    else if (iv.hitBound)
      warnings.push(
        `${k.replace(/^\*\|/, '')}: the loss stays within 0.5 of its optimum up to a search bound; the records hardly constrain it`,
      );

  return {
    profile_version: FITTED_PROFILE_VERSION,
    kind: 'cnisim-fitted-profile',
    host: o.host,
    record_hosts: checked.hosts,
    params,
    option_params: optionParams,
    cpu_costs: cpu,
    fit_error: fitError,
    fit_error_by_percentile: fitErrorByPercentile,
    runs: usable.map((lr) => ({
      file: lr.file,
      run_id: lr.record.run_id,
      step_index: lr.record.step_index,
      repeat: lr.record.repeat,
      option: lr.record.option,
      rate_rps: recordRate(lr.record),
      response_bytes: lr.record.response_bytes,
      source: lr.record.source,
    })),
    stages: summaries,
    uncertainty: {
      method: o.uncertainty === false ? 'none' : 'axis-wise loss profile at the optimum (delta loss 0.5)',
      delta_loss: 0.5,
      note: 'sd is half the interval over which the loss stays within 0.5 of its optimum, moving one parameter with the others fixed; it includes the width of the measurement buckets and understates the uncertainty of correlated parameters',
    },
    loss: {
      description:
        '0.5 * sum ((log-distance of the prediction to the measured percentile bucket) / sigma)^2, plus the same for the retransmission fraction bounded by percentiles >= the RTO threshold',
      sigma: { ...sigma, retransmit_fraction: termOpts.tailFractionSigma },
    },
    seed: o.seed,
    requests_per_eval: o.requests,
    cnisim_version: o.version ?? 'unknown',
    simulator: o.simulator ?? 'unknown',
    started_at: started.toISOString(),
    finished_at: (o.now ?? (() => new Date()))().toISOString(),
    warnings,
  };
}

function planStages(
  usable: readonly LabelledRecord[],
  options: readonly string[],
  o: CalibrateOptions,
  termOpts: TermOptions,
  warnings: string[],
): Stage[] {
  const byOption = new Map<string, LabelledRecord[]>();
  for (const lr of usable) byOption.set(lr.record.option, [...(byOption.get(lr.record.option) ?? []), lr]);
  const ref =
    o.referenceOption === null
      ? null
      : (o.referenceOption ?? (options.includes('net-host') ? 'net-host' : null));
  if (ref !== null && !byOption.has(ref))
    throw new CalibrationInputError('--reference-option', ref, 'no record of this option in --runs');

  const hostSpecs = o.params.filter((p) => p.scope === 'host');
  const optSlots = (opt: string): Slot[] =>
    o.params.filter((p) => p.scope === 'option' && appliesTo(p, opt)).map((spec) => ({ spec, option: opt }));
  const hostSlots: Slot[] = hostSpecs.map((spec) => ({ spec, option: null }));

  const groups: { scope: string; slots: Slot[]; records: LabelledRecord[] }[] = [];
  if (ref !== null) {
    groups.push({ scope: ref, slots: [...hostSlots, ...optSlots(ref)], records: byOption.get(ref) ?? [] });
    for (const opt of options) {
      if (opt === ref) continue;
      groups.push({ scope: opt, slots: optSlots(opt), records: byOption.get(opt) ?? [] });
    }
  } else {
    groups.push({
      scope: 'all options',
      slots: [...hostSlots, ...options.flatMap(optSlots)],
      records: [...usable],
    });
  }

  const stages: Stage[] = [];
  const needed = (q: number) => Math.ceil((termOpts.minTailSamples / (1 - q)) * (1 - 1e-9));
  const cap = Math.max(o.requests, o.maxRequests ?? o.requests);
  for (const g0 of groups) {
    // A parameter whose quantiles even the cap cannot resolve is held; the others get as many
    // simulated requests as the highest of their quantiles needs, within the cap.
    const capOpts = { ...termOpts, requests: cap };
    const maxQcap = Math.max(0, ...g0.records.map((lr) => highestUsedQuantile(lr.record, capOpts)));
    const held = g0.slots.filter(
      (s) => s.spec.needs_quantile !== undefined && maxQcap < s.spec.needs_quantile,
    );
    const want = Math.max(
      o.requests,
      ...g0.slots
        .filter((s) => !held.includes(s))
        .map((s) => (s.spec.needs_quantile ? needed(s.spec.needs_quantile) : 0)),
    );
    const requests = Math.min(cap, want);
    const gOpts = { ...termOpts, requests };
    for (const s of held)
      warnings.push(
        `${s.spec.path}${s.option ? ` (${s.option})` : ''}: not fitted, held at ${initialValue(s.spec)}: it shapes quantiles from ${s.spec.needs_quantile} up, and with at most ${cap} simulated requests the highest percentile fitted for ${g0.scope} is ${maxQcap || 'none'} (needs >= ${needed(s.spec.needs_quantile ?? 0)} requests; raise --max-requests)`,
      );
    const g = { ...g0, slots: g0.slots.filter((s) => !held.includes(s)) };
    if (g.slots.length === 0) continue;
    const hasDrop = g.slots.some((s) => s.spec.group === 'drop');
    const baseSlots = g.slots.filter((s) => s.spec.group === 'base');
    // Base stage: the lowest rate of each option, low percentiles only.
    const lowest = new Map<string, number>();
    for (const lr of g.records) {
      const r = recordRate(lr.record);
      lowest.set(lr.record.option, Math.min(lowest.get(lr.record.option) ?? Number.POSITIVE_INFINITY, r));
    }
    const lowRecords = g.records.filter((lr) => recordRate(lr.record) === lowest.get(lr.record.option));
    const baseTerms = lowRecords.reduce(
      (n, lr) => n + countTerms(lr.record, { ...termOpts, keys: BASE_KEYS }, false),
      0,
    );
    if (baseSlots.length > 0 && baseTerms >= baseSlots.length && baseSlots.length < g.slots.length)
      stages.push({
        name: `${g.scope}/base`,
        scope: g.scope,
        slots: baseSlots,
        records: lowRecords,
        keys: BASE_KEYS,
        withTail: false,
        requests: o.requests,
      });
    const allTerms = g.records.reduce((n, lr) => n + countTerms(lr.record, gOpts, hasDrop), 0);
    if (allTerms < g.slots.length) {
      const files = g.records.map((r) => r.file);
      const tails = g.records.filter((lr) => allTailsNote(lr, termOpts.rtoThresholdMs) !== null);
      const tailCause =
        tails.length === 0
          ? ''
          : `; every percentile of ${tails.length === g.records.length ? (tails.length === 1 ? 'its record' : `all ${tails.length} records`) : `${tails.length} of the ${g.records.length} records`} (${describeFiles(tails.map((lr) => lr.file))}) is at or above the ${termOpts.rtoThresholdMs} ms retransmission threshold, so none is fitted as a latency: check that latency_ms is in milliseconds (values in microseconds are 1000 times too large)`;
      throw new CalibrationInputError(
        `--runs (${g.scope})`,
        files.length > 3 ? [...files.slice(0, 3), `+${files.length - 3} more`] : files,
        `${allTerms} usable measured points for ${g.slots.length} free parameters (${g.slots
          .map((s) => s.spec.path)
          .join(
            ', ',
          )})${tailCause}; ${tails.length > 0 ? 'otherwise ' : ''}add records (other rates, percentiles) or simulate more requests per evaluation (--requests)`,
      );
    }
    stages.push({
      name: `${g.scope}/all`,
      scope: g.scope,
      slots: g.slots,
      records: g.records,
      withTail: hasDrop,
      requests,
    });
  }
  return stages;
}
