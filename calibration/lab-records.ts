/**
 * Splits namespace-lab records for the lab acceptance (issue 5): per option, the open-loop steps by
 * requested rate, the open-loop maximum-rate searches (records with `max_rate_search`, grouped by
 * run and search) and the wrk maximum-rate steps (`requested_rps: null`). Two rates calibrate, one
 * is held out; the maximum-rate steps are only compared with, never fitted.
 *
 * Invariants: only valid records are used for rates and wrk (invalid ones are listed in `skipped`);
 * a search's steps are kept whatever their validity (a failed step is often invalid for fitting:
 * that is its verdict). Every option needs at least three distinct open-loop rates and one
 * maximum-rate step (wrk or a search), otherwise a CalibrationInputError names the option and its
 * files.
 */
import { DISTURBED_WAIT, serverWaitFraction } from '../harness/max-rate-search.ts';
import { CalibrationInputError } from './errors.ts';
import type { LabelledRecord } from './records.ts';

export type HeldOut = 'highest' | 'middle' | 'lowest';

export interface LabOptionSplit {
  option: string;
  /** Distinct open-loop rates, ascending. */
  rates: number[];
  held_out_rate: number;
  /** The two calibration rates, ascending. */
  calibration_rates: [number, number];
  calibration: LabelledRecord[];
  held_out: LabelledRecord[];
  /** wrk steps (closed loop). */
  max_rate: LabelledRecord[];
  /** Open-loop maximum-rate searches, in run and search order. */
  open_loop_max: OpenLoopMaxSearch[];
}

export interface OpenLoopMaxSearch {
  run_id: string;
  search_id: string;
  /** The search's result: its final step's, or the highest carried rate of an unfinished search. */
  max_rate_rps: number;
  failing_rps: number | null;
  /** Why the lowest failing rate failed (the lab's bound: the generator or the server). */
  failing_reason: string | null;
  done_reason: string | null;
  complete: boolean;
  /**
   * The step that set the bound (the lowest failed rate) was disturbed: the server waited for its
   * CPU more than DISTURBED_WAIT of the window (harness/max-rate-search.ts), so the maximum says
   * more about what else ran on the machine than about the path.
   */
  disturbed: boolean;
  steps: LabelledRecord[];
}

function openLoopSearches(list: readonly LabelledRecord[]): OpenLoopMaxSearch[] {
  const by = new Map<string, LabelledRecord[]>();
  for (const lr of list) {
    const k = `${lr.record.run_id}\u0000${lr.record.max_rate_search!.search_id}`;
    by.set(k, [...(by.get(k) ?? []), lr]);
  }
  return [...by.values()].map((steps) => {
    steps.sort((a, b) => a.record.max_rate_search!.step - b.record.max_rate_search!.step);
    const last = steps.at(-1)!.record.max_rate_search!;
    const failing = last.failing_rps;
    const failStep = steps.find(
      (lr) =>
        lr.record.max_rate_search!.verdict === 'failed' &&
        !lr.record.max_rate_search!.retried &&
        lr.record.requested_rps === failing,
    );
    const wait = failStep ? serverWaitFraction(failStep.record) : null;
    return {
      run_id: steps[0]!.record.run_id,
      search_id: last.search_id,
      max_rate_rps: last.final ? (last.max_rate_rps ?? 0) : (last.carried_rps ?? 0),
      failing_rps: failing,
      failing_reason: failStep?.record.max_rate_search?.reason ?? null,
      done_reason: last.final ? last.done_reason : 'unfinished (no final step in the records)',
      complete: last.final,
      disturbed: wait !== null && wait > DISTURBED_WAIT,
      steps,
    };
  });
}

export interface LabSplit {
  options: LabOptionSplit[];
  skipped: string[];
}

/**
 * `heldOut`: which open-loop rate is predicted (by position, or the rate itself); `calibrationRates`:
 * the two that calibrate (default: the two nearest the held-out one; `outer`: the lowest and the
 * highest of the others). A rate an option lacks is a CalibrationInputError naming it.
 */
export function splitLabRecords(
  records: readonly LabelledRecord[],
  heldOut: HeldOut | number = 'highest',
  calibrationRates?: readonly number[] | 'outer',
): LabSplit {
  const skipped: string[] = [];
  const byOption = new Map<string, LabelledRecord[]>();
  const searchSteps = new Map<string, LabelledRecord[]>();
  for (const lr of records) {
    if (lr.record.max_rate_search) {
      if (lr.record.source !== 'lab')
        throw new CalibrationInputError(
          lr.file,
          lr.record.source,
          'the lab acceptance takes lab records only',
        );
      searchSteps.set(lr.record.option, [...(searchSteps.get(lr.record.option) ?? []), lr]);
      continue;
    }
    if (!lr.record.valid) {
      skipped.push(`${lr.file}: invalid (${lr.record.invalid_reason ?? 'no reason given'})`);
      continue;
    }
    if (lr.record.source !== 'lab')
      throw new CalibrationInputError(lr.file, lr.record.source, 'the lab acceptance takes lab records only');
    byOption.set(lr.record.option, [...(byOption.get(lr.record.option) ?? []), lr]);
  }
  if (byOption.size === 0) throw new CalibrationInputError('--runs', [], 'no valid lab records');
  const options: LabOptionSplit[] = [];
  for (const [option, list] of [...byOption].sort((a, b) => a[0].localeCompare(b[0]))) {
    const open = list.filter((lr) => lr.record.requested_rps !== null);
    const max = list.filter((lr) => lr.record.requested_rps === null);
    const olMax = openLoopSearches(searchSteps.get(option) ?? []);
    const rates = [...new Set(open.map((lr) => lr.record.requested_rps!))].sort((a, b) => a - b);
    const files = list.map((lr) => lr.file);
    if (rates.length < 3)
      throw new CalibrationInputError(
        `--runs (${option})`,
        files.length > 3 ? [...files.slice(0, 3), `+${files.length - 3} more`] : files,
        `${rates.length} open-loop rate(s) (${rates.join(', ') || 'none'}); the lab acceptance needs 3: two to calibrate, one to predict`,
      );
    if (max.length === 0 && olMax.length === 0)
      throw new CalibrationInputError(
        `--runs (${option})`,
        files.length > 3 ? [...files.slice(0, 3), `+${files.length - 3} more`] : files,
        'no maximum-rate step (an open-loop search or wrk); run the harness with --max-rate open-loop',
      );
    // With more than three rates and no calibrationRates, the two nearest the held-out one calibrate
    // (the others are unused).
    const held =
      typeof heldOut === 'number'
        ? heldOut
        : heldOut === 'highest'
          ? rates.at(-1)!
          : heldOut === 'lowest'
            ? rates[0]!
            : rates[Math.floor(rates.length / 2)]!;
    const others = rates.filter((r) => r !== held);
    const calRates = Array.isArray(calibrationRates)
      ? [...calibrationRates]
      : calibrationRates === 'outer'
        ? [others[0]!, others.at(-1)!]
        : rates
            .filter((r) => r !== held)
            .sort((a, b) => Math.abs(a - held) - Math.abs(b - held))
            .slice(0, 2);
    for (const r of [held, ...calRates])
      if (!rates.includes(r))
        throw new CalibrationInputError(
          `--runs (${option})`,
          files.length > 3 ? [...files.slice(0, 3), `+${files.length - 3} more`] : files,
          `no open-loop records at ${r} requests/s (rates: ${rates.join(', ')})`,
        );
    if (calRates.includes(held) || new Set(calRates).size !== 2)
      throw new CalibrationInputError(
        `--runs (${option})`,
        calRates,
        `two distinct calibration rates other than the held-out ${held} requests/s are needed`,
      );
    options.push({
      option,
      rates,
      held_out_rate: held,
      calibration_rates: [Math.min(...calRates), Math.max(...calRates)],
      calibration: open.filter((lr) => calRates.includes(lr.record.requested_rps!)),
      held_out: open.filter((lr) => lr.record.requested_rps === held),
      max_rate: max,
      open_loop_max: olMax,
    });
  }
  return { options, skipped };
}
