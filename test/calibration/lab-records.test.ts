/** Splitting lab records: calibration rates, held-out rate, wrk steps, and the bad-input errors. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitLabRecords } from '../../calibration/lab-records.ts';
import { loadLabelledRecords } from '../../calibration/records.ts';

const ALL = loadLabelledRecords([resolve(import.meta.dirname, 'fixtures/lab')]);

describe('splitLabRecords', () => {
  it('holds out the highest rate by default and keeps the wrk steps apart', () => {
    const s = splitLabRecords(ALL);
    expect(s.options.map((o) => o.option)).toEqual(['flannel-host-gw', 'flannel-vxlan', 'net-host']);
    for (const o of s.options) {
      expect(o.rates).toEqual([1000, 2000, 4000]);
      expect(o.held_out_rate).toBe(4000);
      expect(o.calibration).toHaveLength(6);
      expect(o.held_out).toHaveLength(3);
      expect(o.max_rate).toHaveLength(3);
      expect(
        o.calibration.every((lr) => lr.record.requested_rps !== 4000 && lr.record.option === o.option),
      ).toBe(true);
    }
  });

  it('can hold out the middle rate', () => {
    const o = splitLabRecords(ALL, 'middle').options[0]!;
    expect(o.held_out_rate).toBe(2000);
    expect(new Set(o.calibration.map((lr) => lr.record.requested_rps))).toEqual(new Set([1000, 4000]));
  });

  it('names the option and files when a rate is missing', () => {
    const two = ALL.filter((lr) => lr.record.requested_rps !== 2000);
    expect(() => splitLabRecords(two)).toThrow(
      /--runs \(flannel-host-gw\).*2 open-loop rate\(s\) \(1000, 4000\)/,
    );
  });

  it('asks for --max-rate when no wrk step is present', () => {
    const open = ALL.filter((lr) => lr.record.requested_rps !== null);
    expect(() => splitLabRecords(open)).toThrow(/no maximum-rate step.*--max-rate/);
  });

  it('skips invalid records, saying why', () => {
    const first = ALL[0]!;
    const bad = {
      file: 'bad.json',
      record: { ...first.record, valid: false, invalid_reason: 'generator fell behind' },
    };
    const s = splitLabRecords([...ALL, bad]);
    expect(s.skipped).toEqual(['bad.json: invalid (generator fell behind)']);
  });
});
