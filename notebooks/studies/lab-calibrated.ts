/**
 * The lab-validation study's calibrated section: the lab acceptance (calibration/lab-acceptance.ts,
 * also `cnisim lab-validate`) on the same records: hold out the middle open-loop rate per option,
 * calibrate on the lowest and the highest, predict the held-out p50 and the maximum rate, and set
 * both against the issue's targets. When the records cannot support it (fewer than three rates per
 * option, no maximum-rate step, one option only...), the section says what is missing and how to
 * record it, instead of failing the study.
 */
import { labAcceptance, MAX_RATE_TARGET, P50_TARGET } from '../../calibration/lab-acceptance.ts';
import { CalibrationInputError } from '../../calibration/errors.ts';
import { loadLabelledRecords } from '../../calibration/records.ts';
import type { Block, Table } from '../lib/types.ts';

export interface CalibratedSection {
  blocks: Block[];
  /** The acceptance report for data.json (the fitted profile included), or why there is none. */
  data: { report: unknown } | { not_run: string };
}

const HOW =
  'Record three rates per option and an open-loop maximum-rate search, e.g. `cnisim harness run --lab --option net-host,flannel-vxlan --rates 4000,8000,16000 --repeat 3 --max-rate open-loop --out runs/lab`.';

export async function calibratedLabSection(
  paths: readonly string[],
  seed: number,
  log?: (message: string) => void,
): Promise<CalibratedSection> {
  const heading: Block = {
    kind: 'heading',
    text: 'Calibrated on two rates, predicting a third and the maximum',
  };
  let report: Awaited<ReturnType<typeof labAcceptance>>;
  try {
    report = await labAcceptance(loadLabelledRecords(paths), {
      seed,
      heldOut: 'middle',
      calibrationRates: 'outer',
      onLog: log,
    });
  } catch (err) {
    if (!(err instanceof CalibrationInputError)) throw err;
    return {
      blocks: [
        heading,
        { kind: 'text', markdown: `Not run: these records cannot support it (${err.message}). ${HOW}` },
      ],
      data: { not_run: err.message },
    };
  }
  const b = report.cpu_budget;
  const table: Table = {
    id: 'lab-calibrated',
    caption: `Calibrated on the lowest and highest rate, predicting the middle rate's p50 (target ${100 * P50_TARGET} %) and the maximum rate (target ${100 * MAX_RATE_TARGET} %)`,
    columns: [
      { key: 'option', header: 'option' },
      { key: 'cal', header: 'calibration_rps' },
      { key: 'held', header: 'held_out_rps' },
      { key: 'p50_lab', header: 'p50_lab_ms', digits: 3 },
      { key: 'p50_pred', header: 'p50_predicted_ms', digits: 3 },
      { key: 'p50_err', header: 'p50_error_pct', digits: 1 },
      { key: 'p50_met', header: 'p50_met' },
      { key: 'max_lab', header: 'max_lab_rps', digits: 0 },
      { key: 'max_pred', header: 'max_predicted_rps', digits: 0 },
      { key: 'max_err', header: 'max_error_pct', digits: 1 },
      { key: 'max_met', header: 'max_met' },
      { key: 'sched_lab', header: 'p50_sched_lab_ms', digits: 3 },
      { key: 'sched_pred', header: 'p50_sched_predicted_ms', digits: 3 },
    ],
    rows: report.options.map((o) => ({
      option: o.option,
      cal: o.calibration_rates.join(' + '),
      held: o.held_out_rate,
      p50_lab: o.p50.measured_ms,
      p50_pred: o.p50.predicted_ms,
      p50_err: o.p50.rel_error === null ? null : 100 * o.p50.rel_error,
      p50_met: o.p50.met ? 'yes' : 'no',
      max_lab: o.max_rate.measured_rps,
      max_pred: o.max_rate.predicted_rps,
      max_err: 100 * o.max_rate.rel_error,
      max_met: o.max_rate.met ? 'yes' : 'no',
      sched_lab: o.p50.from_schedule?.measured_ms ?? null,
      sched_pred: o.p50.from_schedule?.predicted_ms ?? null,
    })),
  };
  const withBursts = report.options.filter((o) => o.p50.bursts !== null);
  const burstBlocks: Block[] = withBursts.length
    ? [
        {
          kind: 'text',
          markdown: `The generator's bursts at the held-out rate (each wake-up of its send loop writes every send already due; diagnostic, no target): ${withBursts
            .map((o) => {
              const b = o.p50.bursts!;
              const m = b.predicted;
              return `${o.option}: lab ${b.measured.sends_per_tick_mean.toFixed(1)} sends per tick at ${b.measured.ticks_per_s.toFixed(0)} ticks/s, model ${m ? `${m.sends_per_tick_mean.toFixed(1)} at ${m.ticks_per_s.toFixed(0)}/s` : 'saturated'}`;
            })
            .join(
              '; ',
            )}. The table gives the mean latency from the write by position in the burst (docs/calibration.md, "The bursts, measured").`,
        },
        { kind: 'table', table: burstTable(withBursts) },
      ]
    : [];
  const br = report.cost_by_rate;
  const us = (x: number | null) => (x === null ? '-' : ((x ?? 0) / 1000).toFixed(1));
  const how = br
    ? `Each calibration rate keeps its own CPU cost per request from the counters, net of the wake-ups at the host profile's measured costs (nginx ${(br.wakeup_ns.nginx_ns / 1000).toFixed(0)} us, the generator ${(br.wakeup_ns.generator_ns / 1000).toFixed(0)} us per wake-up), split jointly over the options at each rate: the applications' own costs (nginx ${us(br.budgets[0].app_ns.nginx)} and ${us(br.budgets[1].app_ns.nginx)} us, the generator ${us(br.budgets[0].app_ns.generator)} and ${us(br.budgets[1].app_ns.generator)} us per request at ${br.rates_rps[0]} and ${br.rates_rps[1]}/s) and one factor on every stage cost of the lab profile (${br.budgets[0].kernel_scale.toFixed(2)} and ${br.budgets[1].kernel_scale.toFixed(2)}); every simulation takes them at its own rate, linear in log(rate)${br.generator_constant.length ? ` (the generator of ${br.generator_constant.join(', ')} keeps one constant, ${us(b?.app_ns.generator ?? null)} us: its records do not count its sleeps)` : ''}. The host's latency parameters and the generator's write/read split are fitted on p50 and p90 of the calibration rates only. The maximum is the highest offered rate carried (at least 97 % back), by the same search as the lab's.`
    : b
      ? `The counters' CPU cost per request is split jointly over the options: the applications' own costs (nginx ${(
          (b.app_ns.nginx ?? 0) / 1000
        ).toFixed(1)} us, the generator ${((b.app_ns.generator ?? 0) / 1000).toFixed(
          1,
        )} us per request) and one factor on every stage cost of the lab profile (${b.kernel_scale.toFixed(2)}); the host's latency parameters and the generator's write/read split are fitted on p50 and p90 of the calibration rates only. The maximum is the highest offered rate carried (at least 97 % back), by the same search as the lab's.`
      : `Cost basis ${report.cost_basis}.`;
  return {
    blocks: [
      heading,
      {
        kind: 'text',
        markdown: `${how} Predictions between the calibration rates are what this checks; beyond them the model is less reliable (docs/calibration.md, Lab acceptance).${
          report.notes.length ? `\n\n${report.notes.map((n) => `- ${n}`).join('\n')}` : ''
        }`,
      },
      { kind: 'table', table },
      ...burstBlocks,
    ],
    data: { report },
  };
}

type Row = Awaited<ReturnType<typeof labAcceptance>>['options'][number];

/** Latency by position in the burst, lab against model, one row per option and position bin. */
function burstTable(options: readonly Row[]): Table {
  const rows: Table['rows'] = [];
  for (const o of options) {
    const b = o.p50.bursts!;
    const model = new Map((b.predicted?.by_position ?? []).map((x) => [x.from, x]));
    for (const x of b.measured.by_position)
      rows.push({
        option: o.option,
        position: x.from === x.to ? String(x.from) : `${x.from}-${x.to ?? ''}`,
        lab_requests: x.requests,
        lab_ms: x.latency_mean_ms,
        model_ms: model.get(x.from)?.latency_mean_ms ?? null,
      });
  }
  return {
    id: 'lab-bursts',
    caption:
      'Mean latency from the write by position in the generator’s burst, at the held-out rate: lab and model',
    columns: [
      { key: 'option', header: 'option' },
      { key: 'position', header: 'position_in_burst' },
      { key: 'lab_requests', header: 'lab_requests', digits: 0 },
      { key: 'lab_ms', header: 'lab_latency_mean_ms', digits: 3 },
      { key: 'model_ms', header: 'model_latency_mean_ms', digits: 3 },
    ],
    rows,
  };
}
