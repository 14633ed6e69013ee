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

  it('takes the held-out rate and the two calibration rates by value, and names a rate the records lack', () => {
    const o = splitLabRecords(ALL, 2000, [1000, 4000]).options[0]!;
    expect(o.held_out_rate).toBe(2000);
    expect(new Set(o.calibration.map((lr) => lr.record.requested_rps))).toEqual(new Set([1000, 4000]));
    expect(o.held_out.every((lr) => lr.record.requested_rps === 2000)).toBe(true);
    const outer = splitLabRecords(ALL, 'lowest', 'outer').options[0]!;
    expect(outer.held_out_rate).toBe(1000);
    expect(new Set(outer.calibration.map((lr) => lr.record.requested_rps))).toEqual(new Set([2000, 4000]));
    expect(() => splitLabRecords(ALL, 8000, [1000, 2000])).toThrow(
      /--runs \(flannel-host-gw\).*no open-loop records at 8000 requests\/s \(rates: 1000, 2000, 4000\)/,
    );
    expect(() => splitLabRecords(ALL, 4000, [1000, 4000])).toThrow(
      /two distinct calibration rates other than the held-out 4000/,
    );
  });

  it('names the option and files when a rate is missing', () => {
    const two = ALL.filter((lr) => lr.record.requested_rps !== 2000);
    expect(() => splitLabRecords(two)).toThrow(
      /--runs \(flannel-host-gw\).*2 open-loop rate\(s\) \(1000, 4000\)/,
    );
  });

  it('asks for --max-rate when no maximum-rate step (wrk or search) is present', () => {
    const open = ALL.filter((lr) => lr.record.requested_rps !== null && !lr.record.max_rate_search);
    expect(() => splitLabRecords(open)).toThrow(/no maximum-rate step.*--max-rate open-loop/);
    const noWrk = ALL.filter((lr) => lr.record.requested_rps !== null);
    expect(
      splitLabRecords(noWrk).options.every((o) => o.max_rate.length === 0 && o.open_loop_max.length === 4),
    ).toBe(true);
  });

  it('groups the open-loop search steps by run and search, whatever their validity, apart from the rates', () => {
    const s = splitLabRecords(ALL);
    for (const o of s.options) {
      expect(o.open_loop_max).toHaveLength(4);
      expect(o.calibration.concat(o.held_out).some((lr) => lr.record.max_rate_search)).toBe(false);
      for (const x of o.open_loop_max) {
        expect(x.complete).toBe(true);
        expect(x.steps.every((lr) => lr.record.option === o.option)).toBe(true);
        expect(x.steps.map((lr) => lr.record.max_rate_search!.step)).toEqual(x.steps.map((_, i) => i));
        // The result is the highest carried rate of the search, below its lowest failed one.
        const rates = (v: string) =>
          x.steps
            .filter((lr) => lr.record.max_rate_search!.verdict === v)
            .map((lr) => lr.record.requested_rps!);
        expect(x.max_rate_rps).toBe(Math.max(...rates('carried')));
        expect(x.failing_rps).toBe(Math.min(...rates('failed')));
        expect(x.failing_rps!).toBeGreaterThan(x.max_rate_rps);
        expect(x.failing_reason).toMatch(/achieved|generator/);
        // olmax-r0 was disturbed (RECORDING.txt: nginx waited 11-18 % for CPU 1 on its bounding steps).
        expect(x.disturbed).toBe(x.run_id === 'olmax-r0');
      }
    }
  });

  it('reports an unfinished search (no final step) by its highest carried rate, saying so', () => {
    const o = splitLabRecords(ALL).options[0]!;
    const search = o.open_loop_max[0]!;
    const last = search.steps.at(-1)!;
    const cut = ALL.filter((lr) => lr !== last);
    const again = splitLabRecords(cut).options[0]!.open_loop_max.find(
      (x) => x.search_id === search.search_id && x.run_id === search.run_id,
    )!;
    expect(again.complete).toBe(false);
    expect(again.done_reason).toMatch(/unfinished/);
    expect(again.max_rate_rps).toBe(search.steps.at(-2)!.record.max_rate_search!.carried_rps);
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
