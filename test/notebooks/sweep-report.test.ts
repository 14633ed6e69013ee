/**
 * `cnisim report`: saved results (a sweep log, a sweep's JSON array, one simulate result) read back
 * and written as a report, over the closed-form toy of the renderer tests (not the simulator): the
 * knee and the first bottleneck follow from the toy's numbers by arithmetic.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../cli/errors.ts';
import { kneeCells } from '../../notebooks/lib/knee.ts';
import { readSweepResults } from '../../notebooks/lib/sweep-results.ts';
import { sweepReport } from '../../notebooks/sweep-report.ts';
import { cnisim } from '../cli/helpers/run-cnisim.ts';
import { toyResult } from './fixtures/toy-results.ts';
import { chromiumMissingReason, openReport } from './helpers/browser.ts';
import { tempDirs } from './helpers/temp-dirs.ts';

const tmp = tempDirs('cnisim-sweep-report-');
const RATES = [50_000, 100_000, 150_000, 200_000, 250_000, 300_000, 350_000, 400_000];
const toys = () => ['net-host', 'flannel-vxlan'].flatMap((o) => RATES.map((r) => toyResult(o, r, 350)));

/** A sweep log as `sweep --out` writes it, optionally with a last line cut short. */
function logFile(cut = false): string {
  const lines = [
    JSON.stringify({ cnisim_sweep: 1, settings: { seed: 1, replications: 2 } }),
    ...toys().map((r) =>
      JSON.stringify({ point: { option: r.option, rate_rps: r.rate_rps, response_bytes: 350 }, result: r }),
    ),
  ];
  const p = join(tmp(), 'sweep.jsonl');
  writeFileSync(p, `${lines.join('\n')}\n${cut ? '{"point":{"option":"ipv' : ''}`);
  return p;
}

describe('readSweepResults', () => {
  it('reads a sweep log (leaving out a last line cut short), a JSON array and one pretty-printed result', () => {
    const log = readSweepResults(logFile(true));
    expect(log.results).toHaveLength(16);
    expect(log.settings).toEqual({ seed: 1, replications: 2 });
    expect(log.notes.join()).toMatch(/left out a last line cut short \(23 characters\)/);
    const arr = join(tmp(), 'a.json');
    writeFileSync(arr, JSON.stringify(toys()));
    expect(readSweepResults(arr).results).toHaveLength(16);
    const one = join(tmp(), 'one.json');
    writeFileSync(one, JSON.stringify(toyResult('ipvlan', 100_000, 350), null, 2));
    expect(readSweepResults(one).results.map((r) => r.option)).toEqual(['ipvlan']);
  });

  it('names the file and the line of what is not a simulate result', () => {
    const bad = join(tmp(), 'bad.jsonl');
    writeFileSync(
      bad,
      `${JSON.stringify({ cnisim_sweep: 1, settings: {} })}\n{"point":{},"result":{"option":"x"}}\n`,
    );
    const e = (() => {
      try {
        readSweepResults(bad);
      } catch (err) {
        return err as InputError;
      }
      throw new Error('expected an error');
    })();
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(/bad\.jsonl: not a simulate result \(missing host, rate_rps.*\(got "line 2"\)/);
    const junk = join(tmp(), 'junk.txt');
    writeFileSync(junk, 'hello\nworld\n');
    expect(() => readSweepResults(junk)).toThrow(/line 1/);
  });
});

describe('sweepReport', () => {
  it('finds each option’s knee and first bottleneck from the saved numbers', () => {
    const { knees } = sweepReport('sweep.jsonl', readSweepResults(logFile()));
    const row = (o: string) => knees.rows.find((r) => r['option'] === o)!;
    // Toy p99 = 0.3 (1 + 0.8 ln(100) rho/(1-rho)), rho = rate/520k for net-host: 0.418 ms at 50k,
    // so the limit is 0.835; 150k gives 0.748 and 200k 0.991: the knee is 150k. 400k is unsaturated.
    expect(row('net-host')['knee_rps']).toBe(150_000);
    expect(row('net-host')['knee_note']).toBe('');
    expect(row('net-host')['p99_at_knee_ms']).toBeCloseTo(0.748, 2);
    expect(row('net-host')['max_unsaturated_rps']).toBe(400_000);
    expect(row('net-host')['first_bottleneck']).toBe('none in the sweep');
    // flannel-vxlan's toy capacity is 380k: 400k saturates.
    expect(row('flannel-vxlan')['max_unsaturated_rps']).toBe(350_000);
    expect(row('flannel-vxlan')['first_bottleneck']).toBe('server cpu 0 softirq at 400000');
  });

  it('tells options apart by host when the results come from several hosts', () => {
    const other = toys().map((r) => ({ ...r, host: 'web-16' }));
    const { report } = sweepReport('x.json', { results: [...toys(), ...other], settings: null, notes: [] });
    const table = report.blocks.find((b) => b.kind === 'table' && b.table.id === 'knees');
    const names = table?.kind === 'table' ? table.table.rows.map((r) => r['option']) : [];
    expect(names).toContain('net-host@web-16');
    expect(names).toContain('net-host@c4.8xlarge');
  });
});

describe('cnisim report', () => {
  it('writes the report of a sweep log and prints the knees; an empty log is refused', async () => {
    const out = tmp();
    const r = cnisim('report', logFile(true), '--out', out, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).find((x: { option: string }) => x.option === 'net-host').knee_rps).toBe(150_000);
    expect(r.err).toMatch(/left out a last line cut short/);
    for (const f of [
      'index.html',
      'report.md',
      'data.json',
      'charts/p99-vs-rate.svg',
      'charts/p50-vs-rate.png',
    ])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(
      /16 simulated point\(s\) read from `sweep.jsonl`/,
    );
    if (!chromiumMissingReason()) {
      const seen = await openReport(join(out, 'index.html'));
      expect(seen.consoleErrors).toEqual([]);
      expect(seen.externalRequests).toEqual([]);
      expect(seen.charts.length).toBe(2);
      for (const c of seen.charts) expect(c.markItems, c.id).toBeGreaterThan(0);
    }
    const empty = join(tmp(), 'empty.jsonl');
    writeFileSync(empty, `${JSON.stringify({ cnisim_sweep: 1, settings: {} })}\n`);
    const e = cnisim('report', empty);
    expect(e.code).toBe(3);
    expect(e.err).toMatch(/holds no simulated point yet/);
  }, 60_000);
});

describe('a file that holds a point twice', () => {
  it('keeps the last result of each point and says so, and says when seeds differ', () => {
    const a = toyResult('net-host', 100_000, 350);
    const b = { ...toyResult('net-host', 100_000, 350), seed: 9, achieved_rps: 99_999 };
    const c = toyResult('ipvlan', 100_000, 350);
    const file = join(tmp(), 'twice.json');
    writeFileSync(file, JSON.stringify([a, c, b]));
    const read = readSweepResults(file);
    expect(read.results).toHaveLength(2);
    expect(read.results.find((r) => r.option === 'net-host')!.achieved_rps).toBe(99_999);
    expect(read.notes.join('\n')).toMatch(
      /1 point\(s\) saved more than once: the last result of each is shown/,
    );
    expect(read.notes.join('\n')).toMatch(/points of seeds 1, 9: differences between them are not paired/);
  });
});

describe('kneeCells', () => {
  it('keeps knee_rps a number or null, and says what qualifies it in knee_note', () => {
    expect(kneeCells({ knee_rps: 450_000, latency_ms: 1, beyond_grid: true }, 10)).toEqual({
      knee_rps: 450_000,
      knee_note: 'at or above: not reached on the grid',
    });
    expect(kneeCells({ knee_rps: 150_000, latency_ms: 1, beyond_grid: false }, 10).knee_note).toBe('');
    expect(kneeCells(null, 1)).toEqual({ knee_rps: null, knee_note: 'one rate: no curve' });
    expect(kneeCells(null, 5)).toEqual({ knee_rps: null, knee_note: 'below the grid' });
  });
});
