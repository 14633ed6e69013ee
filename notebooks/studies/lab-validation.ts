/**
 * Lab runs against predictions: every valid open-loop run record (from the harness's namespace
 * lab, `runs/lab` by default, or --runs) is predicted by simulating the same option, rate and
 * response size on the lab host model, and each measured percentile is set against the predicted
 * one with its 95 % CI. Then the calibrated check (lab-calibrated.ts): calibrate on two rates,
 * predict a third and the maximum rate. With no records the report says so plainly and how to make
 * some; that is not an error. A path given with --runs that does not exist is (exit 3).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createProgress } from '../../cli/progress.ts';
import type { RunRecord } from '../../harness/run-record.ts';
import { loadRunRecords } from '../../harness/run-record-io.ts';
import { PERCENTILE_KEYS, type PercentileKey, type SimResult } from '../../sim/result.ts';
import { predictedVsMeasuredSpec, type ValidationPoint } from '../charts/predicted-vs-measured.ts';
import { withoutWallClock } from '../lib/simulator.ts';
import type { Block, Cell, Table } from '../lib/types.ts';
import { writeReport } from '../lib/write-report.ts';
import type { StudyOptions, StudyOutcome } from './common.ts';
import { type CalibratedSection, calibratedLabSection } from './lab-calibrated.ts';
import { BUDGET, type Context, precisionText, withContext } from './common.ts';

export const LAB_HOST = 'netns-lab';
export const DEFAULT_RUNS = 'runs/lab';
const COMPARED: PercentileKey[] = ['p50', 'p90', 'p99', 'p99_9'];

interface Comparison {
  record: string;
  option: string;
  rate_rps: number;
  response_bytes: number;
  percentile: PercentileKey;
  latency_kind: string;
  measured_ms: number;
  predicted_ms: number | null;
  ci95_ms: [number, number] | null;
  rel_error: number | null;
  inside_ci: boolean | null;
}

function usable(r: RunRecord): string | null {
  if (!r.valid) return `invalid: ${r.invalid_reason ?? 'no reason given'}`;
  if (r.requested_rps === null || r.generator.loop !== 'open') return 'closed-loop (maximum-rate) step';
  return null;
}

export async function runLabValidation(opts: StudyOptions): Promise<StudyOutcome> {
  return withContext(opts, (ctx) => labStudy(ctx, opts));
}

async function labStudy(ctx: Context, opts: StudyOptions): Promise<StudyOutcome> {
  const explicit = opts.runs !== undefined && opts.runs.length > 0;
  const paths = explicit ? opts.runs! : [DEFAULT_RUNS];
  const present = paths.filter((p) => existsSync(resolve(p)));
  const records = explicit ? loadRunRecords(paths) : present.length > 0 ? loadRunRecords(present) : [];
  const skipped = records.map((r) => ({ r, why: usable(r) })).filter((x) => x.why !== null);
  const used = records.filter((r) => usable(r) === null);
  const { requests, replications } = opts.quick ? BUDGET.quick : BUDGET.full;

  // One prediction per distinct (option, rate, response size).
  const key = (r: RunRecord) => `${r.option_used}|${r.requested_rps}|${r.response_bytes}`;
  const distinct = [...new Map(used.map((r) => [key(r), r])).values()];
  const predictions = new Map<string, SimResult>();
  const progress = createProgress('study lab-validation', distinct.length, {
    enabled: (opts.progress ?? true) && distinct.length > 0,
  });
  for (const r of distinct) {
    predictions.set(
      key(r),
      withoutWallClock(
        await ctx.simulate({
          option: r.option_used,
          host: LAB_HOST,
          rate_rps: r.requested_rps ?? 0,
          response_bytes: r.response_bytes,
          requests,
          replications,
          seed: opts.seed,
          ...(ctx.profilePath ? { profile: ctx.profilePath } : {}),
        }),
      ),
    );
    progress.update(predictions.size, `${r.option_used} ${r.requested_rps} req/s`);
  }
  progress.finish();

  const comparisons: Comparison[] = [];
  for (const r of used) {
    const pred = predictions.get(key(r));
    // tcpkali prints 0.1 ms buckets: compare with the prediction quantised the same way when the simulator gives it.
    const predLatency =
      r.generator.name === 'tcpkali' ? (pred?.latency_tcpkali_ms ?? pred?.latency_ms) : pred?.latency_ms;
    for (const k of COMPARED) {
      const measured = r.latency_ms[k];
      if (measured === undefined) continue;
      const predicted = pred && !pred.saturated && predLatency ? predLatency[k] : null;
      const ci = pred?.latency_ci95_ms?.[k] ?? null;
      comparisons.push({
        record: `${r.run_id}#${r.step_index}`,
        option: r.option_used,
        rate_rps: r.requested_rps ?? 0,
        response_bytes: r.response_bytes,
        percentile: k,
        latency_kind: r.latency_kind,
        measured_ms: measured,
        predicted_ms: predicted,
        ci95_ms: ci,
        rel_error: predicted !== null && measured > 0 ? (predicted - measured) / measured : null,
        inside_ci: ci ? measured >= ci[0] && measured <= ci[1] : null,
      });
    }
  }

  const summary: Table = {
    id: 'lab-validation',
    caption:
      records.length === 0
        ? `No lab run records found (looked in ${paths.join(', ')})`
        : 'Predicted against measured, per percentile, over all usable lab records',
    columns: [
      { key: 'percentile', header: 'percentile' },
      { key: 'n', header: 'records' },
      { key: 'mape', header: 'mape_pct', digits: 1 },
      { key: 'median_rel', header: 'median_rel_error_pct', digits: 1 },
      { key: 'inside', header: 'inside_ci95_pct', digits: 0 },
    ],
    rows: COMPARED.map((k): Record<string, Cell> => {
      const cs = comparisons.filter((c) => c.percentile === k && c.rel_error !== null);
      const rel = cs.map((c) => c.rel_error as number).sort((a, b) => a - b);
      const withCi = cs.filter((c) => c.inside_ci !== null);
      return {
        percentile: k,
        n: cs.length,
        mape: cs.length ? (100 * rel.reduce((s, x) => s + Math.abs(x), 0)) / rel.length : null,
        median_rel: rel.length ? 100 * (rel[Math.floor((rel.length - 1) / 2)] ?? 0) : null,
        inside: withCi.length ? (100 * withCi.filter((c) => c.inside_ci).length) / withCi.length : null,
      };
    }).filter((r) => r['n'] !== 0 || records.length === 0),
  };
  const detail: Table = {
    id: 'lab-records',
    caption: 'Each record and percentile: measured, predicted (95 % CI), relative error',
    columns: [
      { key: 'record', header: 'record' },
      { key: 'option', header: 'option' },
      { key: 'rate_rps', header: 'rate_rps' },
      { key: 'response_bytes', header: 'response_bytes' },
      { key: 'percentile', header: 'percentile' },
      { key: 'measured_ms', header: 'measured_ms', digits: 3 },
      { key: 'predicted_ms', header: 'predicted_ms', digits: 3 },
      { key: 'ci', header: 'ci95_ms', digits: 3 },
      { key: 'rel', header: 'rel_error_pct', digits: 0 },
    ],
    rows: comparisons.map((c) => ({
      record: c.record,
      option: c.option,
      rate_rps: c.rate_rps,
      response_bytes: c.response_bytes,
      percentile: c.percentile,
      measured_ms: c.measured_ms,
      predicted_ms: c.predicted_ms,
      ci: c.ci95_ms ? { interval: c.ci95_ms } : null,
      rel: c.rel_error === null ? null : 100 * c.rel_error,
    })),
  };

  const blocks: Block[] = [];
  if (records.length === 0) {
    blocks.push({
      kind: 'text',
      markdown: `**No lab run records were found**, so there is nothing to validate yet (looked in ${paths
        .map((p) => `\`${p}\``)
        .join(
          ', ',
        )}). Make some with the namespace lab (\`cnisim lab up\`, then \`cnisim harness run\` writing to \`runs/lab\`), or point this study at records with \`--runs <files or folders>\`.`,
    });
  } else {
    blocks.push({
      kind: 'text',
      markdown: `${records.length} record(s) read from ${paths.map((p) => `\`${p}\``).join(', ')}; ${used.length} used, ${skipped.length} skipped. Each distinct (option, rate, response size) was simulated on the lab host model \`${LAB_HOST}\` with the same seed. A relative error above 0 means the prediction is slower than the measurement.${
        skipped.length
          ? `\n\n${skipped
              .slice(0, 20)
              .map((s) => `- skipped \`${s.r.run_id}#${s.r.step_index}\`: ${s.why}`)
              .join('\n')}`
          : ''
      }`,
    });
  }
  blocks.push({ kind: 'table', table: summary });
  if (comparisons.length > 0) {
    const pts: ValidationPoint[] = comparisons
      .filter((c) => c.predicted_ms !== null)
      .map((c) => ({
        option: c.option,
        percentile: c.percentile.replace('_', '.'),
        rate_rps: c.rate_rps,
        measured_ms: c.measured_ms,
        predicted_ms: c.predicted_ms as number,
        ci_lo_ms: c.ci95_ms?.[0] ?? (c.predicted_ms as number),
        ci_hi_ms: c.ci95_ms?.[1] ?? (c.predicted_ms as number),
      }));
    if (pts.length > 0)
      blocks.push({
        kind: 'vega-lite',
        id: 'predicted-vs-measured',
        caption:
          'Predicted against measured latency, log-log; dashed: perfect prediction; bars: 95 % CI of the prediction',
        spec: predictedVsMeasuredSpec(pts, 'Lab validation: predicted against measured'),
      });
    blocks.push({ kind: 'table', table: detail });
  }
  // The calibrated check needs the real simulator (it fits), not a stand-in.
  let calibrated: CalibratedSection | null = null;
  if (records.length > 0 && opts.simulate === undefined) {
    calibrated = await calibratedLabSection(explicit ? paths : present, opts.seed);
    blocks.push(...calibrated.blocks);
  }
  const meta = ctx.meta(
    'lab-validation',
    'Lab validation: namespace-lab runs against predictions',
    records.length === 0
      ? 'no records, no predictions'
      : `${precisionText(requests, replications)} Compared percentiles: ${COMPARED.join(', ')} (of ${PERCENTILE_KEYS.length} the simulator reports).`,
  );
  const written = await writeReport(
    {
      meta,
      blocks,
      data: {
        paths,
        records_read: records.length,
        records_used: used.length,
        comparisons,
        predictions: [...predictions.values()],
        calibrated: calibrated?.data ?? {
          not_run: records.length === 0 ? 'no records' : 'a stand-in simulator',
        },
      },
    },
    opts.outDir,
  );
  return { htmlPath: written.htmlPath, table: summary, written };
}
