/**
 * `cnisim calibrate --runs <files|dirs> --out fitted.json`: fits the model's free parameters to run
 * records (calibration/fit.ts) and writes the fitted profile. Progress and notes on stderr; the
 * summary table (or the profile with --json) on stdout.
 */
import { lastRxStage } from '../../calibration/loss-from-tail.ts';
import { FITTED_PROFILE_PATH } from '../../calibration/fitted-profile.ts';
import type { Command } from 'commander';
import { DEFAULT_PARAMS } from '../../calibration/default-params.ts';
import { calibrate } from '../../calibration/fit.ts';
import { ParamSpecList, type ParamSpec } from '../../calibration/params.ts';
import { hostProfileOf, type LabelledRecord, loadLabelledRecords } from '../../calibration/records.ts';
import { simulatePredictor } from '../../calibration/simulate-predictor.ts';
import { loadHost } from '../../model/load.ts';
import { InputError } from '../errors.ts';
import { readJsonFile } from '../read-json.ts';
import { checkProfileOut } from '../profile-out.ts';
import { log, printJson, printTable } from '../output.ts';
import { parseNonNegative, parsePositiveInt } from '../parse.ts';
import { createProgress } from '../progress.ts';
import { VERSION } from '../version.ts';

interface Opts {
  runs: string[];
  out: string;
  host?: string;
  seed: string;
  budgetEvals: string;
  requests: string;
  maxRequests?: string;
  params?: string;
  allowMixedHosts?: boolean;
  referenceOption?: string;
  uncertainty: boolean;
  workers?: string;
  json?: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  program
    .command('calibrate')
    .description('Fit the model to run records (percentiles, counters) and write a fitted profile')
    .requiredOption('--runs <paths...>', 'run record files or directories (recursively, *.json)')
    .option(
      '--out <file>',
      `where to write the fitted profile (JSON; the studies use ${FITTED_PROFILE_PATH} when it exists); ` +
        'a profile already there is kept as <name>.<its finished_at>.json, any other existing file is refused, ' +
        'as is a path inside a --runs folder',
      FITTED_PROFILE_PATH,
    )
    .option(
      '--host <profile>',
      'host profile to simulate (default: the records’ machine, e.g. c4.8xlarge; netns-lab for lab records)',
    )
    .option('--seed <n>', 'seed of the common random numbers every evaluation uses', '1')
    .option('--budget-evals <n>', 'objective evaluations per fitting stage', '40')
    .option('--requests <n>', 'simulated requests per point and evaluation (p99.5 needs 2000)', '20000')
    .option(
      '--max-requests <n>',
      'cap for stages whose parameters shape high quantiles (stalls: p99.99 needs 100000, drops 1000000); default --requests',
    )
    .option(
      '--params <file>',
      'JSON list of free parameters (path, lower, upper, init, log, integer, needs_quantile, group, scope, options)',
    )
    .option('--allow-mixed-hosts', 'fit records of several hosts together')
    .option('--reference-option <id>', 'option whose records fit the host parameters (default net-host)')
    .option('--no-uncertainty', 'skip the loss-profile intervals (saves evaluations)')
    .option('--workers <n>', 'simulator worker threads')
    .option('--json', 'print the fitted profile on stdout')
    .option('--quiet', 'no progress on stderr')
    .addHelpText(
      'after',
      `
Example:
  $ cnisim import seed-tables ../shared/reference/seed-study-calibration.json --out runs/seed/
  $ mkdir -p runs/held-out && mv runs/seed/*-50000rps-*.json runs/held-out/   # hold out the 4 KB table
  $ cnisim calibrate --runs runs/seed/ --seed 1            # writes ${FITTED_PROFILE_PATH}
  $ cnisim validate --profile ${FITTED_PROFILE_PATH} --runs runs/held-out/
  $ cnisim study seed                                      # now predicts with the fitted profile

Percentiles are fitted as censored values (tcpkali's 0.1 ms buckets); percentiles at or above 180 ms
bound the fraction of requests that waited for a retransmission, from which each option's loss
probability follows in closed form. See docs/calibration.md.`,
    )
    .action(async (o: Opts) => {
      const seed = parseNonNegative('--seed', o.seed);
      const budget = parsePositiveInt('--budget-evals', o.budgetEvals);
      const requests = parsePositiveInt('--requests', o.requests);
      const maxRequests =
        o.maxRequests !== undefined ? parsePositiveInt('--max-requests', o.maxRequests) : requests;
      const workers = o.workers !== undefined ? parsePositiveInt('--workers', o.workers) : undefined;
      const params = o.params ? readParams(o.params) : [...DEFAULT_PARAMS];
      const records = loadLabelledRecords(o.runs);
      if (records.length === 0)
        throw new InputError('--runs', o.runs.join(' '), 'no run records (*.json) found there');
      const out = checkProfileOut(
        o.out,
        records.map((r) => r.file),
        o.runs,
      );
      const host = o.host ?? recordsHost(records);
      if (!host)
        throw new InputError('--host', o.host, 'no host profile given and the records name no machine');
      const progress = new Map<string, ReturnType<typeof createProgress>>();
      const profile = await calibrate(records, {
        predictor: simulatePredictor(host, workers !== undefined ? { workers } : {}),
        params,
        host,
        seed,
        requests,
        maxRequests,
        budgetEvals: budget,
        allowMixedHosts: o.allowMixedHosts ?? false,
        ...(o.referenceOption ? { referenceOption: o.referenceOption } : {}),
        uncertainty: o.uncertainty,
        version: VERSION,
        simulator: 'sim/simulate',
        lossStage: lastRxStage,
        onLog: (m) => {
          if (!o.quiet) log(`calibrate: ${m}`);
        },
        onProgress: (e) => {
          let p = progress.get(e.stage);
          if (!p) {
            p = createProgress(`calibrate ${e.stage}`, e.budget, { enabled: !o.quiet });
            progress.set(e.stage, p);
          }
          p.update(e.evals, `best loss ${e.best.toPrecision(4)}`);
        },
      });
      const mismatch = hostMismatch(profile.record_hosts, host);
      if (mismatch) profile.warnings.push(mismatch);
      for (const w of profile.warnings) log(`calibrate: warning: ${w}`);
      const kept = out.write(profile);
      if (kept) log(`calibrate: the previous profile is kept as ${kept}`);
      log(`calibrate: wrote ${o.out}`);
      if (o.json) {
        printJson(profile);
        return;
      }
      const rows = [
        ...Object.entries(profile.params).map(([path, v]) => ({ scope: 'host', path, ...v })),
        ...Object.entries(profile.option_params).flatMap(([opt, m]) =>
          Object.entries(m).map(([path, v]) => ({ scope: opt, path, ...v })),
        ),
      ];
      printTable(rows, [
        { header: 'scope', value: (r) => r.scope, align: 'left' },
        { header: 'parameter', value: (r) => r.path, align: 'left' },
        { header: 'value', value: (r) => r.value },
        { header: 'sd', value: (r) => r.sd },
        { header: 'source', value: (r) => r.source, align: 'left' },
      ]);
      process.stdout.write('\n');
      const fit = profile.fit_error;
      printTable(fit, [
        { header: 'option', value: (r) => r.option, align: 'left' },
        { header: 'rate_rps', value: (r) => r.rate_rps },
        { header: 'response_bytes', value: (r) => r.response_bytes },
        { header: 'percentile', value: (r) => r.percentile, align: 'left' },
        // Lab records resolve 0.001 ms (latency_resolution_ms); the seed tables' 0.1 ms read as x.x00.
        { header: 'measured_ms', value: (r) => r.measured_ms, digits: 3 },
        { header: 'predicted_ms', value: (r) => r.predicted_ms, digits: 3 },
        {
          header: 'rel_error_pct',
          value: (r) => (r.rel_error === null ? null : 100 * r.rel_error),
          digits: 1,
        },
        {
          header: 'off_bucket_pct',
          value: (r) => (r.log_distance === null ? null : 100 * (Math.exp(r.log_distance) - 1)),
          digits: 1,
        },
        { header: 'fitted', value: (r) => (r.used_in_fit ? 'yes' : 'no'), align: 'left' },
      ]);
    });
}

function readParams(file: string): ParamSpec[] {
  return readJsonFile('--params', file, ParamSpecList, 'a parameter list');
}

/**
 * A host given that is not the one the records were measured on: the fitted costs then stand in for
 * the difference between the machines (and may not fit at all). Only record hosts that name a host
 * profile can be compared (a lab record names the lab, not a profile).
 */
export function hostMismatch(recordHosts: readonly string[], host: string): string | null {
  const hostId = loadHost(host, '--host').id;
  const known = recordHosts.filter((k) => knownHostId(k) !== null);
  if (known.length === 0 || known.some((k) => knownHostId(k) === hostId)) return null;
  return `the records were measured on ${known.join(', ')} but the model simulates host ${hostId}: the fitted costs absorb the difference between the machines, if they can`;
}

/**
 * The host a fit simulates when --host is not given: the records' machine (the first record's), and
 * for the namespace lab's records, which name the lab rather than a machine, its profile netns-lab.
 */
export function recordsHost(records: readonly LabelledRecord[]): string | undefined {
  return records[0] ? hostProfileOf(records[0].record) : undefined;
}

/** The id of the host profile a record's host key names, or null when it names none. */
function knownHostId(key: string): string | null {
  try {
    return loadHost(key).id;
  } catch {
    return null;
  }
}
