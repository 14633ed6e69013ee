/**
 * Splits namespace-lab records for the lab acceptance (issue 5): per option, the open-loop steps by
 * requested rate, and the wrk maximum-rate steps (`requested_rps: null`). Two rates calibrate, one
 * is held out; the maximum-rate steps are only compared with, never fitted.
 *
 * Invariants: only valid records are used (invalid ones are listed in `skipped`); every option
 * needs at least three distinct open-loop rates and one maximum-rate step, otherwise a
 * CalibrationInputError names the option and its files.
 */
import { CalibrationInputError } from './errors.ts';
import type { LabelledRecord } from './records.ts';

export type HeldOut = 'highest' | 'middle' | 'lowest';

export interface LabOptionSplit {
  option: string;
  /** Distinct open-loop rates, ascending. */
  rates: number[];
  held_out_rate: number;
  calibration: LabelledRecord[];
  held_out: LabelledRecord[];
  max_rate: LabelledRecord[];
}

export interface LabSplit {
  options: LabOptionSplit[];
  skipped: string[];
}

export function splitLabRecords(records: readonly LabelledRecord[], heldOut: HeldOut = 'highest'): LabSplit {
  const skipped: string[] = [];
  const byOption = new Map<string, LabelledRecord[]>();
  for (const lr of records) {
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
    const rates = [...new Set(open.map((lr) => lr.record.requested_rps!))].sort((a, b) => a - b);
    const files = list.map((lr) => lr.file);
    if (rates.length < 3)
      throw new CalibrationInputError(
        `--runs (${option})`,
        files.length > 3 ? [...files.slice(0, 3), `+${files.length - 3} more`] : files,
        `${rates.length} open-loop rate(s) (${rates.join(', ') || 'none'}); the lab acceptance needs 3: two to calibrate, one to predict`,
      );
    if (max.length === 0)
      throw new CalibrationInputError(
        `--runs (${option})`,
        files.length > 3 ? [...files.slice(0, 3), `+${files.length - 3} more`] : files,
        'no maximum-rate step (wrk, requested_rps null); run the harness with --max-rate',
      );
    // With more than three rates, the two nearest the held-out one calibrate (the others are unused).
    const held =
      heldOut === 'highest'
        ? rates.at(-1)!
        : heldOut === 'lowest'
          ? rates[0]!
          : rates[Math.floor(rates.length / 2)]!;
    const calRates = rates
      .filter((r) => r !== held)
      .sort((a, b) => Math.abs(a - held) - Math.abs(b - held))
      .slice(0, 2);
    options.push({
      option,
      rates,
      held_out_rate: held,
      calibration: open.filter((lr) => calRates.includes(lr.record.requested_rps!)),
      held_out: open.filter((lr) => lr.record.requested_rps === held),
      max_rate: max,
    });
  }
  return { options, skipped };
}
