/**
 * `cnisim lab-validate --runs <namespace-lab records>`: calibrates on lab runs at two rates per
 * option, predicts a third rate's p50 and the maximum rate, and compares both with the lab
 * (calibration/lab-acceptance.ts: counter costs split jointly over the options, host parameters and
 * the generator's write/read split fitted on p50 and p90, the maximum by the open-loop search rule).
 * Table or JSON on stdout, progress on stderr. Exit 0 whether or not the targets are met (the report
 * says); 3 on records it cannot use, and on an --out it cannot write (cli/profile-out.ts, checked
 * before the fit: a run record, an existing file that is not a fitted profile, a folder of --runs).
 */
import type { Command } from 'commander';
import { COST_BASES, type CostBasis, labAcceptance } from '../../calibration/lab-acceptance.ts';
import { labFittedProfile } from '../../calibration/lab-profile.ts';
import { loadLabelledRecords } from '../../calibration/records.ts';
import { InputError } from '../errors.ts';
import { checkProfileOut } from '../profile-out.ts';
import { log, printJson, printTable } from '../output.ts';
import { parseNumberList, parsePositive, parseSeed } from '../parse.ts';

interface Opts {
  runs: string[];
  heldOut?: string;
  calibrationRates?: string;
  costBasis?: string;
  seed?: string;
  out?: string;
  json?: boolean;
  quiet?: boolean;
}

function parseHeldOut(raw: string): 'highest' | 'middle' | 'lowest' | number {
  if (raw === 'highest' || raw === 'middle' || raw === 'lowest') return raw;
  return parsePositive('--held-out', raw);
}

export function register(program: Command): void {
  program
    .command('lab-validate')
    .description(
      'Calibrate on namespace-lab runs at two rates, predict a third rate’s p50 and the maximum rate, compare with the lab',
    )
    .requiredOption('--runs <paths...>', 'lab run record files or directories (cnisim harness run --lab)')
    .option('--held-out <rps|highest|middle|lowest>', 'the rate to predict (default: highest)')
    .option(
      '--calibration-rates <a,b>',
      'the two rates to calibrate on (default: the two nearest the held-out one)',
    )
    .option(
      '--cost-basis <basis>',
      `how the counters' costs reach the model: ${COST_BASES.join(', ')} (default by-rate; docs/calibration.md)`,
    )
    .option('--seed <n>', 'seed (default 1)')
    .option(
      '--out <fitted.json>',
      'also write the fit as a fitted profile for simulate --profile and validate; a profile already there ' +
        'is kept as <name>.<its finished_at>.json, any other existing file is refused',
    )
    .option('--json', 'print the whole report (with the fitted profile) as JSON')
    .option('--quiet', 'no progress on stderr')
    .addHelpText(
      'after',
      `
Example:
  $ cnisim harness run --lab --option net-host,flannel-vxlan --rates 4000,8000,16000 --repeat 3 \\
      --max-rate open-loop --out runs/lab
  $ cnisim lab-validate --runs runs/lab --held-out 8000 --calibration-rates 4000,16000 --out out/lab-fit.json
  $ cnisim simulate --profile out/lab-fit.json --host netns-lab --option net-host --rate 12000 --response-bytes 350

Targets (issue 5): p50 within 15 %, maximum rate within 10 % of the median of the lab's open-loop
searches (wrk's maximum when the records hold no search). Takes about 10 s per option on 2 cores.
See docs/calibration.md, Lab acceptance.`,
    )
    .action(async (o: Opts) => {
      const heldOut = o.heldOut !== undefined ? parseHeldOut(o.heldOut) : 'highest';
      const calibrationRates =
        o.calibrationRates !== undefined
          ? parseNumberList('--calibration-rates', o.calibrationRates)
          : undefined;
      if (calibrationRates && calibrationRates.length !== 2)
        throw new InputError(
          '--calibration-rates',
          o.calibrationRates,
          'give exactly two rates, e.g. 4000,16000',
        );
      const seed = o.seed !== undefined ? parseSeed(o.seed) : 1;
      const costBasis = o.costBasis ?? 'by-rate';
      if (!COST_BASES.includes(costBasis as CostBasis))
        throw new InputError('--cost-basis', o.costBasis, `expected one of ${COST_BASES.join(', ')}`);
      const records = loadLabelledRecords(o.runs);
      const out =
        o.out !== undefined
          ? checkProfileOut(
              o.out,
              records.map((r) => r.file),
              o.runs,
            )
          : null;
      const report = await labAcceptance(records, {
        seed,
        heldOut,
        costBasis: costBasis as CostBasis,
        ...(calibrationRates ? { calibrationRates } : {}),
        onLog: o.quiet ? undefined : (m) => log(`lab-validate: ${m}`),
      });
      for (const n of report.notes) if (!o.quiet) log(`lab-validate: ${n}`);
      if (out) {
        const kept = out.write(labFittedProfile(report));
        if (kept && !o.quiet) log(`lab-validate: the previous profile is kept as ${kept}`);
        if (!o.quiet) log(`lab-validate: wrote ${o.out}`);
      }
      if (o.json) {
        printJson(report);
        return;
      }
      const pct = (x: number | null) => (x === null ? null : 100 * x);
      printTable(report.options, [
        { header: 'option', value: (r) => r.option, align: 'left' },
        { header: 'calibration_rps', value: (r) => r.calibration_rates.join('+'), align: 'left' },
        { header: 'held_out_rps', value: (r) => r.held_out_rate },
        { header: 'p50_lab_ms', value: (r) => r.p50.measured_ms, digits: 3 },
        { header: 'p50_predicted_ms', value: (r) => r.p50.predicted_ms ?? 'saturated', digits: 3 },
        { header: 'p50_error_pct', value: (r) => pct(r.p50.rel_error), digits: 1 },
        { header: 'p50_met', value: (r) => (r.p50.met ? 'yes' : 'no'), align: 'left' },
        { header: 'max_lab_rps', value: (r) => Math.round(r.max_rate.measured_rps) },
        { header: 'max_predicted_rps', value: (r) => r.max_rate.predicted_rps },
        { header: 'max_error_pct', value: (r) => pct(r.max_rate.rel_error), digits: 1 },
        { header: 'max_met', value: (r) => (r.max_rate.met ? 'yes' : 'no'), align: 'left' },
        // Diagnostic (no target): p50 from each request's scheduled send time, the generator's timer included.
        { header: 'p50_sched_lab_ms', value: (r) => r.p50.from_schedule?.measured_ms ?? '-', digits: 3 },
        {
          header: 'p50_sched_predicted_ms',
          value: (r) => (r.p50.from_schedule ? (r.p50.from_schedule.predicted_ms ?? 'saturated') : '-'),
          digits: 3,
        },
      ]);
    });
}
