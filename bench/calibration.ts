/**
 * Calibration benchmark and the study-table acceptance check: imports the seed study's two tables
 * (../shared/reference/seed-study-calibration.json beside the repo), calibrates all five options
 * with the real simulator, then simulates the same points with the fitted profile and checks that
 * p95, p99 and p99.5 are within 10 % of the measured buckets for every option and that the
 * retransmission tails appear where the study saw them (calibration/reproduction.ts).
 * Target: the calibration under 10 minutes on these 2-core machines. Prints wall time, evaluations
 * and the check's outcome; with --out writes the fitted profile. Numbers vary with machine load.
 */
import { lastRxStage } from '../calibration/loss-from-tail.ts';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PARAMS } from '../calibration/default-params.ts';
import { calibrate } from '../calibration/fit.ts';
import { checkReproduction } from '../calibration/reproduction.ts';
import { seedTablesToRecords } from '../calibration/seed-tables.ts';
import { simulatePredictor } from '../calibration/simulate-predictor.ts';
import type { BenchOption } from '../cli/commands/bench.ts';
import { log } from '../cli/output.ts';
import { parseNonNegative, parsePositiveInt } from '../cli/parse.ts';
import { VERSION } from '../cli/version.ts';

export const name = 'calibration';
export const describe =
  'calibrate all five options on the seed study tables with the simulator (target < 10 min) and check p95-p99.5 within 10 % and the retransmission tails';

export const options: BenchOption[] = [
  {
    flag: 'budget-evals',
    value: '<n>',
    description: 'evaluations per stage (default 40)',
    parse: parsePositiveInt,
  },
  {
    flag: 'requests',
    value: '<n>',
    description: 'simulated requests per point per evaluation (default 20000)',
    parse: parsePositiveInt,
  },
  {
    flag: 'max-requests',
    value: '<n>',
    description: 'cap for stall and drop stages (default = requests: stalls and drops held)',
    parse: parsePositiveInt,
  },
  {
    flag: 'check-requests',
    value: '<n>',
    description: 'requests per point for the final check (default 200000)',
    parse: parsePositiveInt,
  },
  { flag: 'seed', value: '<n>', description: 'seed (default 1)', parse: parseNonNegative },
  { flag: 'out', value: '<file>', description: 'write the fitted profile here', parse: (_f, raw) => raw },
  {
    flag: 'options',
    value: '<list>',
    description: 'comma-separated options to calibrate (default all five)',
    parse: (_f, raw) => raw.split(','),
  },
];

const REF = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'shared',
  'reference',
  'seed-study-calibration.json',
);

export async function run(opts: { json: boolean; [k: string]: unknown }): Promise<object> {
  if (!existsSync(REF)) return { skipped: `${REF} is missing` };
  const budget = (opts.budgetEvals as number | undefined) ?? 40;
  const requests = (opts.requests as number | undefined) ?? 20_000;
  const maxRequests = (opts.maxRequests as number | undefined) ?? requests;
  const checkRequests = (opts.checkRequests as number | undefined) ?? 200_000;
  const seed = (opts.seed as number | undefined) ?? 1;
  const only = opts.options as string[] | undefined;
  const records = seedTablesToRecords(JSON.parse(readFileSync(REF, 'utf8')))
    .filter((r) => !only || only.includes(r.option) || r.option === 'net-host')
    .map((record) => ({ file: `seed:${record.run_id}/${record.option}`, record }));
  const predictor = simulatePredictor('c4.8xlarge');
  let sims = 0;
  const counted: typeof predictor = async (...a) => {
    sims++;
    return predictor(...a);
  };
  const t0 = process.hrtime.bigint();
  const profile = await calibrate(records, {
    predictor: counted,
    params: DEFAULT_PARAMS,
    host: 'c4.8xlarge',
    seed,
    requests,
    maxRequests,
    budgetEvals: budget,
    version: VERSION,
    simulator: 'sim/simulate',
    lossStage: lastRxStage,
    onLog: (m) => log(`bench calibration: ${m}`),
  });
  const calib_s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (typeof opts.out === 'string') writeFileSync(opts.out, `${JSON.stringify(profile, null, 2)}\n`);
  const t1 = process.hrtime.bigint();
  const check = await checkReproduction(records, profile, predictor, {
    seed: seed + 1,
    requests: checkRequests,
  });
  const check_s = Number(process.hrtime.bigint() - t1) / 1e9;
  for (const r of check.rows)
    log(
      `bench calibration: ${r.option} @${r.rate_rps} ${r.response_bytes} B: ${Object.entries(r.rel_to_bucket)
        .map(([k, v]) => `${k} ${v === null || v === undefined ? '-' : `${(100 * v).toFixed(1)} %`}`)
        .join(
          ', ',
        )} from bucket; retransmit fraction ${r.retransmit_fraction.toExponential(2)} in [${r.retransmit_bounds
        .map((x) => x.toExponential(1))
        .join(
          ', ',
        )}]: ${r.tail_ok ? 'ok' : 'NOT ok'}; p99.999 ${r.p99_999_ms?.toFixed(1)} ms, max ${r.max_ms?.toFixed(1)} ms`,
    );
  return {
    calibrate_wall_s: Number(calib_s.toFixed(1)),
    check_wall_s: Number(check_s.toFixed(1)),
    simulations: sims,
    budget_evals_per_stage: budget,
    requests_per_eval: requests,
    max_requests: maxRequests,
    stages: profile.stages
      .map((s) => `${s.name}: ${s.loss_start.toPrecision(3)} -> ${s.loss_end.toPrecision(3)} (${s.evals})`)
      .join('; '),
    within_10pct_all: check.all_within_tolerance,
    tails_ok_all: check.all_tails_ok,
    worst_rel_to_bucket: Math.max(
      ...check.rows.flatMap((r) =>
        Object.values(r.rel_to_bucket).map((v) =>
          v === null || v === undefined ? Number.POSITIVE_INFINITY : Math.abs(v),
        ),
      ),
    ),
    under_10_minutes: calib_s < 600,
  };
}
