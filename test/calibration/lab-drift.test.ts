import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { driftAtCalibrationRates } from '../../calibration/lab-drift.ts';
import { splitLabRecords } from '../../calibration/lab-records.ts';
import { loadLabelledRecords } from '../../calibration/records.ts';

const DIR = resolve(import.meta.dirname, 'fixtures/lab-byrate-3');
const WAKEUP_NS = 20_000;

/** nginx's ns per request net of its wake-ups, straight from a record file's fields. */
function byHand(file: string): number {
  const r = JSON.parse(readFileSync(resolve(DIR, file), 'utf8'));
  const m = r.counters.machine;
  const t = m.server_tasks[0];
  const rate = r.requests_sent / m.interval_s;
  const busy = t.run_ns / 1e9 / m.interval_s;
  const slices = t.timeslices / m.interval_s;
  return ((busy - (WAKEUP_NS * slices) / 1e9) / rate) * 1e9;
}

function median3(xs: number[]): number {
  expect(xs).toHaveLength(3);
  return [...xs].sort((a, b) => a - b)[1]!;
}

describe('the lab drift between calibration steps and searches (diagnostic)', () => {
  const split = splitLabRecords(loadLabelledRecords([DIR]), 8000, [4000, 32000]);
  const vxlan = split.options.find((s) => s.option === 'flannel-vxlan')!;

  it('compares nginx cost per request at the calibration rate that the searches also offered', () => {
    const files = readdirSync(DIR);
    // lab-byrate-3: three calibration steps at 32000/s, and each search's first step (32000/s, carried).
    const cal = files.filter((f) => /flannel-vxlan-32000rps-r\d\.json$/.test(f));
    const search = files.filter((f) => /flannel-vxlan-32000rps-olmax-r\d\.json$/.test(f));
    const [d, ...rest] = driftAtCalibrationRates(vxlan, WAKEUP_NS);
    expect(rest).toEqual([]); // no search step at 4000/s
    expect(d!.rate_rps).toBe(32000);
    expect(d!.calibration_steps).toBe(3);
    expect(d!.search_steps).toBe(3);
    expect(d!.calibration_ns_per_request).toBeCloseTo(median3(cal.map(byHand)), 6);
    expect(d!.search_ns_per_request).toBeCloseTo(median3(search.map(byHand)), 6);
    expect(d!.ratio).toBeCloseTo(d!.calibration_ns_per_request / d!.search_ns_per_request, 12);
    // The recording's calibration steps ran slower than its searches (docs/calibration.md).
    expect(d!.ratio).toBeGreaterThan(1.05);
  });

  it('is empty when no search offered a calibration rate', () => {
    const narrow = splitLabRecords(loadLabelledRecords([DIR]), 32000, [4000, 8000]);
    for (const s of narrow.options) expect(driftAtCalibrationRates(s, WAKEUP_NS)).toEqual([]);
  });
});
