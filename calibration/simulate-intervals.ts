/**
 * Prediction intervals for `cnisim simulate --profile`: the simulated point under the fitted
 * profile, plus one simulation with each fitted parameter moved by +-1 sd, combined by
 * predictWithIntervals (first-order propagation in log space plus the simulation's own CI).
 * Cost: 2 simulations per fitted parameter that has an sd (the base point is reused). What the
 * intervals leave out comes back as warnings (intervalWarnings).
 */
import { readJsonFile } from '../cli/read-json.ts';
import type { PercentileIntervals, SimResult } from '../sim/result.ts';
import { orderBounds } from '../sim/simulate.ts';
import { FittedProfile } from './fitted-profile.ts';
import { predictWithIntervals } from './prediction-interval.ts';
import type { Prediction, Predictor } from './predictor.ts';
import { formatSetValue } from './simulate-predictor.ts';

const asPrediction = (r: SimResult): Prediction => ({
  latency_ms: r.latency_ms,
  latency_ci95_ms: r.latency_ci95_ms,
  saturated: r.saturated,
  retransmits: r.retransmits,
  requests: r.requests,
});

/**
 * `base` is the point already simulated with the profile applied; `rerun(set)` simulates the same
 * point with extra `path=value` overrides (applied after the profile's).
 */
export async function predictionIntervals(
  profilePath: string,
  base: SimResult,
  rerun: (set: string[]) => Promise<SimResult>,
): Promise<{ intervals: Partial<PercentileIntervals>; warnings: string[] }> {
  const profile = readJsonFile('--profile', profilePath, FittedProfile, 'a fitted profile');
  let first = true;
  const predictor: Predictor = async (_point, set) => {
    // predictWithIntervals asks for the base point first, with exactly the profile's values.
    if (first) {
      first = false;
      return asPrediction(base);
    }
    return asPrediction(await rerun(Object.entries(set).map(([k, v]) => `${k}=${formatSetValue(v)}`)));
  };
  const { intervals } = await predictWithIntervals(
    predictor,
    profile,
    { option: base.option, rate_rps: base.rate_rps, response_bytes: base.response_bytes },
    { seed: base.seed, requests: base.requests },
  );
  const out: Partial<PercentileIntervals> = {};
  for (const [k, v] of Object.entries(intervals))
    if (v?.pi95_ms) out[k as keyof PercentileIntervals] = v.pi95_ms;
  // Ordered like the percentiles, as simulate orders its confidence intervals.
  orderBounds(out);
  return { intervals: out, warnings: intervalWarnings(profile, base.option, intervals) };
}

/**
 * What the intervals leave out, said: percentiles without an interval, with the reason (often the
 * most useful fact of all: within one sd of the fit the point saturates), and a profile without
 * parameter uncertainty, whose "prediction interval" is the simulation's own noise.
 */
function intervalWarnings(
  profile: FittedProfile,
  option: string,
  intervals: Partial<Record<string, { pi95_ms: [number, number] | null; unresolved?: string }>>,
): string[] {
  const out: string[] = [];
  const byReason = new Map<string, string[]>();
  for (const [k, v] of Object.entries(intervals))
    if (v && v.pi95_ms === null) {
      const why = v.unresolved ?? 'not resolved';
      byReason.set(why, [...(byReason.get(why) ?? []), k.replace('_', '.')]);
    }
  for (const [why, keys] of byReason) out.push(`no prediction interval for ${keys.join(', ')}: ${why}`);
  const withSd = [
    ...Object.values(profile.params),
    ...Object.values(profile.option_params[option] ?? {}),
  ].filter((v) => v.source !== 'fixed' && v.sd !== undefined && v.sd > 0);
  if (withSd.length === 0)
    out.push(
      'the profile gives no parameter uncertainty (no fitted value has an sd): pi95 is the simulation noise only, narrower than a new run would spread',
    );
  return out;
}
