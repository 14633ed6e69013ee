/**
 * `cnisim validate --profile fitted.json --runs <held-out records>`: predicts records the fit did not
 * see and compares them with the measurement (calibration/validate.ts). Table or JSON on stdout; a
 * chart (SVG, with its vega-lite spec next to it) with --out-chart.
 *
 * The chart's two files are checked before any simulation (`checkChartOut`): neither may be an
 * input (the profile, a record), an existing file of another kind (not an SVG; not a Vega-Lite
 * spec), a directory, or lie inside a --runs folder (its `.vl.json` would be read as a run record
 * by the next calibrate or validate there); its folder must be writable. Both are written whole.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { renderSvg, validationChartSpec } from '../../calibration/chart.ts';
import { FittedProfile } from '../../calibration/fitted-profile.ts';
import { loadLabelledRecords } from '../../calibration/records.ts';
import { simulatePredictor } from '../../calibration/simulate-predictor.ts';
import { validate } from '../../calibration/validate.ts';
import { InputError } from '../errors.ts';
import { prepareOutParent, refuseInsideRuns, sameFile, writeFileAtomic } from '../out-file.ts';
import { readJsonFile } from '../read-json.ts';
import { log, printJson, printTable } from '../output.ts';
import { parseNonNegative, parsePositiveInt } from '../parse.ts';
import { createProgress } from '../progress.ts';

interface Opts {
  profile: string;
  runs: string[];
  seed?: string;
  requests?: string;
  allowMixedHosts?: boolean;
  paramUncertainty: boolean;
  outChart?: string;
  workers?: string;
  json?: boolean;
  quiet?: boolean;
}

export function readProfile(file: string): FittedProfile {
  return readJsonFile('--profile', file, FittedProfile, 'a fitted profile');
}

export interface ChartOut {
  svg: string;
  spec: string;
}

/**
 * Checks where `--out-chart <value>` writes: `<name>.svg` and its spec `<name>.vl.json`. `profile`
 * and `records` are the files read; `runs` the --runs paths. Exit 3 naming --out-chart otherwise.
 */
export function checkChartOut(
  value: string,
  profile: string,
  records: readonly string[],
  runs: readonly string[],
): ChartOut {
  const flag = '--out-chart';
  const svg = resolve(value);
  const refuseInput = (file: string, what: string): void => {
    if (sameFile(file, profile))
      throw new InputError(flag, value, `${what} would replace the --profile being read: name another file`);
    if (records.some((r) => sameFile(file, r)))
      throw new InputError(
        flag,
        value,
        `${what} would replace one of the run records being validated: name another file`,
      );
  };
  refuseInput(svg, 'the chart');
  if (existsSync(svg) && statSync(svg).isDirectory())
    throw new InputError(flag, value, 'is a directory: name an .svg file');
  if (!/\.svg$/i.test(svg))
    throw new InputError(
      flag,
      value,
      'name an .svg file (its Vega-Lite spec goes beside it as <name>.vl.json)',
    );
  const spec = svg.replace(/\.svg$/i, '.vl.json');
  refuseInput(spec, `its Vega-Lite spec ${spec}`);
  if (existsSync(svg) && !looksLikeSvg(svg))
    throw new InputError(flag, value, 'the file exists and is not an SVG chart: name another file');
  if (existsSync(spec) && (statSync(spec).isDirectory() || !isVegaLiteSpec(spec)))
    throw new InputError(flag, value, `${spec} exists and is not a Vega-Lite spec: name another chart file`);
  refuseInsideRuns(flag, value, spec, runs);
  prepareOutParent(flag, value);
  return { svg, spec };
}

/** An SVG (what renderSvg writes, or any other): its first kilobytes hold an <svg element. */
function looksLikeSvg(file: string): boolean {
  try {
    return /<svg[\s>]/.test(readFileSync(file, 'utf8').slice(0, 4096));
  } catch {
    return false;
  }
}

/** A Vega-Lite spec (what validationChartSpec writes): JSON whose $schema names vega-lite. */
function isVegaLiteSpec(file: string): boolean {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as { $schema?: unknown };
    return typeof v.$schema === 'string' && v.$schema.includes('vega-lite');
  } catch {
    return false;
  }
}

export function register(program: Command): void {
  program
    .command('validate')
    .description('Predict held-out run records with a fitted profile and compare with the measurements')
    .requiredOption('--profile <file>', 'fitted profile written by cnisim calibrate')
    .requiredOption('--runs <paths...>', 'held-out run record files or directories')
    .option('--seed <n>', 'simulation seed (default: the profile’s)')
    .option('--requests <n>', 'simulated requests per point (default: the profile’s)')
    .option('--allow-mixed-hosts', 'predict records of hosts the profile was not fitted on')
    .option(
      '--no-param-uncertainty',
      'leave parameter uncertainty out of the prediction interval (2 fewer simulations per fitted parameter)',
    )
    .option(
      '--out-chart <file.svg>',
      'write the predicted-vs-measured chart (and <file>.vl.json, its vega-lite spec); not inside a --runs folder, ' +
        'an existing file must be a chart',
    )
    .option('--workers <n>', 'simulator worker threads')
    .option('--json', 'print the report as JSON')
    .option('--quiet', 'no progress on stderr')
    .addHelpText(
      'after',
      `
Example:
  $ cnisim validate --profile fitted.json --runs runs/lab/step-3/ --out-chart out/validate.svg

The prediction interval combines simulation noise, parameter uncertainty (+-1 sd of each fitted
parameter) and the repeat-to-repeat spread of each percentile; a measurement counts as inside when its
0.1 ms bucket overlaps the interval. See docs/calibration.md.`,
    )
    .action(async (o: Opts) => {
      const profile = readProfile(o.profile);
      const seed = o.seed !== undefined ? parseNonNegative('--seed', o.seed) : profile.seed;
      const requests =
        o.requests !== undefined ? parsePositiveInt('--requests', o.requests) : profile.requests_per_eval;
      const workers = o.workers !== undefined ? parsePositiveInt('--workers', o.workers) : undefined;
      const records = loadLabelledRecords(o.runs);
      if (records.length === 0)
        throw new InputError('--runs', o.runs.join(' '), 'no run records (*.json) found there');
      // Checked (and its folder made) before the work, so a long validation is not lost at its end.
      const chart =
        o.outChart !== undefined
          ? checkChartOut(
              o.outChart,
              o.profile,
              records.map((r) => r.file),
              o.runs,
            )
          : null;
      const progress = createProgress('validate', records.length, { enabled: !o.quiet });
      const report = await validate(records, {
        predictor: simulatePredictor(profile.host, workers !== undefined ? { workers } : {}),
        profile,
        seed,
        requests,
        allowMixedHosts: o.allowMixedHosts ?? false,
        paramUncertainty: o.paramUncertainty,
        onProgress: (d) => progress.update(d),
      });
      progress.finish();
      for (const w of report.warnings) log(`validate: ${w}`);
      if (chart) {
        const spec = validationChartSpec(report);
        const svg = await renderSvg(spec);
        writeFileAtomic(chart.spec, `${JSON.stringify(spec, null, 2)}\n`);
        writeFileAtomic(chart.svg, svg);
        log(`validate: wrote ${o.outChart}`);
      }
      if (o.json) {
        printJson(report);
        return;
      }
      printTable(report.rows, [
        { header: 'option', value: (r) => r.option, align: 'left' },
        { header: 'rate_rps', value: (r) => r.rate_rps },
        { header: 'response_bytes', value: (r) => r.response_bytes },
        { header: 'percentile', value: (r) => r.percentile, align: 'left' },
        // Lab records resolve 0.001 ms (latency_resolution_ms); the seed tables' 0.1 ms read as x.x00.
        { header: 'measured_ms', value: (r) => r.measured_ms, digits: 3 },
        { header: 'predicted_ms', value: (r) => r.predicted_ms, digits: 3 },
        { header: 'pi95_lo_ms', value: (r) => r.pi95_ms?.[0], digits: 3 },
        { header: 'pi95_hi_ms', value: (r) => r.pi95_ms?.[1], digits: 3 },
        { header: 'error_ms', value: (r) => r.error_ms, digits: 3 },
        {
          header: 'rel_error_pct',
          value: (r) => (r.rel_error === null ? null : 100 * r.rel_error),
          digits: 1,
        },
        {
          header: 'off_bucket_pct',
          value: (r) => (r.rel_to_bucket === null ? null : 100 * r.rel_to_bucket),
          digits: 1,
        },
        {
          header: 'inside_pi',
          value: (r) => (r.inside_pi === null ? null : r.inside_pi ? 'yes' : 'no'),
          align: 'left',
        },
      ]);
      process.stdout.write('\n');
      printTable(
        Object.entries(report.mape_by_percentile).map(([k, v]) => ({ k, v })),
        [
          { header: 'percentile', value: (r) => r.k, align: 'left' },
          { header: 'mape_pct', value: (r) => 100 * r.v, digits: 1 },
        ],
      );
      process.stdout.write(
        `\nOver the percentiles the simulation resolves (${report.resolved_keys.join(', ') || 'none'}; raise --requests for more): MAPE ${report.mape === null ? '-' : `${(100 * report.mape).toFixed(1)} %`}; inside the 95 % prediction interval: ${
          report.coverage_pi95 === null ? '-' : `${(100 * report.coverage_pi95).toFixed(0)} %`
        }; ranking of options agrees: ${report.ranking_agrees === null ? '- (one option per point)' : report.ranking_agrees ? 'yes' : 'no'}\n`,
      );
      for (const r of report.ranking.filter((x) => !x.agrees))
        process.stdout.write(
          `  ranking differs at ${r.rate_rps} rps ${r.response_bytes} B ${r.percentile}: measured ${r.measured_order.join(' < ')}, predicted ${r.predicted_order.join(' < ')}\n`,
        );
    });
}
