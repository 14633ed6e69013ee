/**
 * The lab acceptance's result as a fitted profile that `simulate --profile` and `validate` can use
 * on their own: the fit's host parameters, plus per option everything the acceptance held fixed
 * (app costs and the kernel factor on each stage cost, from the counters: source `regression`;
 * the workload's connections and request size: source `fixed`), and the fitted write/read split of
 * the generator expanded into its write and read costs (no `lab.*` path is left: every key is a
 * model path). With the cost basis `by-rate` the costs that differ between the two calibration rates
 * are written with `by_rate` (their values at both), which simulate interpolates at its rate as the
 * acceptance did. Simulating the held-out point with this profile, the acceptance's seed + 1 and its
 * request count gives the acceptance's prediction (tested).
 */
import type { FittedProfile, ParamValue } from './fitted-profile.ts';
import type { LabAcceptanceReport } from './lab-acceptance.ts';
import { expandReadShare, READ_SHARE_PATH } from './lab-params.ts';

export function labFittedProfile(report: LabAcceptanceReport): FittedProfile {
  const p = report.profile;
  const params = Object.fromEntries(Object.entries(p.params).filter(([k]) => k !== READ_SHARE_PATH));
  const share = p.params[READ_SHARE_PATH];
  const generatorNs = report.cpu_budget?.app_ns.generator ?? null;
  const optionParams: Record<string, Record<string, ParamValue>> = {};
  const byRate = report.cost_by_rate;
  for (const o of report.options) {
    const ends = o.fixed_overrides_by_rate;
    if (byRate && ends) {
      // Cost basis by-rate: each value at the two calibration rates, interpolated by simulate.
      const [a, b] = ends;
      optionParams[o.option] = {
        ...(p.option_params[o.option] ?? {}),
        ...Object.fromEntries(
          Object.keys(a).map((k): [string, ParamValue] => {
            const source = k.startsWith('workload.') ? 'fixed' : 'regression';
            return [
              k,
              a[k] === b[k]
                ? { value: a[k]!, source }
                : { value: a[k]!, source, by_rate: { rates_rps: byRate.rates_rps, values: [a[k]!, b[k]!] } },
            ];
          }),
        ),
      };
      continue;
    }
    const set = expandReadShare(
      { ...o.fixed_overrides, ...(share ? { [READ_SHARE_PATH]: share.value } : {}) },
      generatorNs,
    );
    optionParams[o.option] = {
      ...(p.option_params[o.option] ?? {}),
      ...Object.fromEntries(
        Object.entries(set).map(([k, v]): [string, ParamValue] => [
          k,
          { value: v, source: k.startsWith('workload.') ? 'fixed' : 'regression' },
        ]),
      ),
    };
  }
  return {
    ...p,
    params,
    option_params: optionParams,
    warnings: [
      ...p.warnings,
      `lab acceptance (cost basis ${report.cost_basis}): option_params hold the counter costs and the kernel factor${
        share
          ? `; the generator's read share ${share.value.toFixed(3)} is expanded into its write and read costs`
          : ''
      }`,
    ],
  };
}
