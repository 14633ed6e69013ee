import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { hostMismatch, recordsHost } from '../../cli/commands/calibrate.ts';
import { checkProfileOut } from '../../cli/profile-out.ts';
import { loadLabelledRecords } from '../../calibration/records.ts';
import { makeRecord } from './fixtures.ts';

const tmp = mkdtempSync(join(tmpdir(), 'cnisim-calib-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writeRecords(dir: string, recs: ReturnType<typeof makeRecord>[]): string {
  mkdirSync(dir, { recursive: true });
  for (const [i, r] of recs.entries()) writeFileSync(join(dir, `r${i}.json`), JSON.stringify(r));
  return dir;
}

async function run(args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  try {
    const code = await main(['node', 'cnisim', ...args]);
    return { code, err };
  } finally {
    spy.mockRestore();
  }
}

describe('cnisim calibrate / validate: bad input', () => {
  it('exits 3 on records of two hosts, naming both, without a stack trace', async () => {
    const dir = writeRecords(join(tmp, 'mixed'), [
      makeRecord({ option: 'net-host', rate_rps: 1e5, machine: 'a', latency_ms: { p99: 1 } }),
      makeRecord({ option: 'net-host', rate_rps: 2e5, machine: 'b', step: 1, latency_ms: { p99: 1 } }),
    ]);
    const r = await run(['calibrate', '--runs', dir, '--out', join(tmp, 'f.json'), '--quiet']);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/2 different hosts \(a: .*r0\.json; b: .*r1\.json\)/);
    expect(r.err).not.toMatch(/at .*\.ts:\d+/);
  });

  it('exits 3 on percentiles that are not monotone, naming the file', async () => {
    const dir = writeRecords(join(tmp, 'nonmono'), [
      makeRecord({ option: 'net-host', rate_rps: 1e5, latency_ms: { p95: 2, p99: 1 } }),
    ]);
    const r = await run(['calibrate', '--runs', dir, '--out', join(tmp, 'f.json'), '--quiet']);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/r0\.json: latency_ms: percentiles are not monotone/);
  });

  it('exits 3 on a profile that is not a fitted profile, and 2 on a budget that does not parse', async () => {
    const bad = join(tmp, 'notprofile.json');
    writeFileSync(bad, '{"host": "x"}');
    const dir = writeRecords(join(tmp, 'one'), [
      makeRecord({ option: 'net-host', rate_rps: 1e5, latency_ms: { p99: 1 } }),
    ]);
    const v = await run(['validate', '--profile', bad, '--runs', dir, '--quiet']);
    expect(v.code).toBe(3);
    expect(v.err).toMatch(/--profile .*not a fitted profile/);
    const c = await run(['calibrate', '--runs', dir, '--out', join(tmp, 'f.json'), '--budget-evals', 'lots']);
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/--budget-evals: not a number/);
  });
});

describe('cnisim calibrate --out: nothing is lost', () => {
  const dir = () =>
    writeRecords(join(tmp, 'out-guard'), [
      makeRecord({ option: 'net-host', rate_rps: 1e5, latency_ms: { p99: 1 } }),
    ]);

  it('refuses one of its own run records, and any existing file that is not a fitted profile, before fitting', async () => {
    const d = dir();
    const rec = join(d, 'r0.json');
    const before = readFileSync(rec, 'utf8');
    const a = await run(['calibrate', '--runs', d, '--out', rec, '--quiet']);
    expect(a.code).toBe(3);
    expect(a.err).toMatch(/--out: is one of the run records being fitted/);
    expect(readFileSync(rec, 'utf8')).toBe(before);
    const notes = join(tmp, 'notes.json');
    writeFileSync(notes, '{"mine": true}');
    const b = await run(['calibrate', '--runs', d, '--out', notes, '--quiet']);
    expect(b.code).toBe(3);
    expect(b.err).toMatch(/--out: the file exists and is not a fitted profile/);
    expect(readFileSync(notes, 'utf8')).toBe('{"mine": true}');
  });

  it('keeps a fitted profile it replaces beside it, named by when that one was fitted', () => {
    const d = join(tmp, 'keep');
    mkdirSync(d, { recursive: true });
    const path = join(d, 'fitted.json');
    const old = JSON.stringify({ kind: 'cnisim-fitted-profile', finished_at: '2026-11-01T10:00:00.000Z' });
    writeFileSync(path, old);
    const out = checkProfileOut(path, []);
    const kept = out.keepPrevious();
    expect(kept).toBe(join(d, 'fitted.2026-11-01T10-00-00-000Z.json'));
    expect(readFileSync(kept!, 'utf8')).toBe(old);
    // A second profile of the same time does not replace the first one kept.
    writeFileSync(path, old);
    expect(checkProfileOut(path, []).keepPrevious()).toBe(join(d, 'fitted.2026-11-01T10-00-00-000Z-2.json'));
    // Nothing there: nothing to keep.
    expect(checkProfileOut(path, []).keepPrevious()).toBeNull();
    // A profile written there during the fit (after the check) is kept too; a stamp that is no
    // file name (a '/') is made one.
    const during = checkProfileOut(path, []);
    const late = JSON.stringify({ kind: 'cnisim-fitted-profile', finished_at: '2026/11/27 10:00' });
    writeFileSync(path, late);
    const lateKept = during.keepPrevious();
    expect(lateKept).toBe(join(d, 'fitted.2026-11-27-10-00.json'));
    expect(readFileSync(lateKept!, 'utf8')).toBe(late);
  });

  it('reads a folder given twice once, refuses the same record under two names, and says when there is none', async () => {
    const d = dir();
    expect(loadLabelledRecords([d, d, join(d, 'r0.json')])).toHaveLength(1);
    // The same file through a link is the same file, read once (not "the same record" twice).
    const linked = join(tmp, 'linked');
    mkdirSync(linked, { recursive: true });
    symlinkSync(join(d, 'r0.json'), join(linked, 'link.json'));
    expect(loadLabelledRecords([d, linked])).toHaveLength(1);
    const twins = join(tmp, 'twins');
    writeRecords(twins, [makeRecord({ option: 'net-host', rate_rps: 1e5, latency_ms: { p99: 1 } })]);
    writeFileSync(join(twins, 'copy.json'), readFileSync(join(twins, 'r0.json')));
    expect(() => loadLabelledRecords([twins])).toThrow(
      /r0\.json: the same record as .*copy\.json \(it would count twice\)/,
    );
    const empty = join(tmp, 'empty-runs');
    mkdirSync(empty, { recursive: true });
    const c = await run(['calibrate', '--runs', empty, '--out', join(tmp, 'f.json'), '--quiet']);
    expect(c.code).toBe(3);
    expect(c.err).toMatch(/--runs: no run records \(\*\.json\) found there/);
  });
});

describe("calibrate --host against the records' machine", () => {
  it('warns when the records name another host profile than the one simulated, not for lab records', () => {
    expect(hostMismatch(['c4.8xlarge'], 'netns-lab')).toMatch(
      /measured on c4\.8xlarge but the model simulates host netns-lab/,
    );
    expect(hostMismatch(['c4.8xlarge'], 'c4.8xlarge')).toBeNull();
    expect(hostMismatch(['cnisim namespace lab (both hosts on one machine)'], 'netns-lab')).toBeNull();
  });
  it("simulates the records' machine by default, netns-lab for the lab's records (which name the lab)", () => {
    // Was the lab's name, refused as an unknown host profile after the records were read.
    const lab = loadLabelledRecords([join(import.meta.dirname, 'fixtures/lab-span')]);
    expect(lab[0]!.record.hosts.server.machine).toBe('cnisim namespace lab (both hosts on one machine)');
    expect(recordsHost(lab)).toBe('netns-lab');
    const rec = makeRecord({
      option: 'net-host',
      rate_rps: 1000,
      latency_ms: { p50: 1 },
      machine: 'c4.8xlarge',
    });
    expect(recordsHost([{ file: 'a.json', record: rec }] as never)).toBe('c4.8xlarge');
    expect(recordsHost([])).toBeUndefined();
  });
});

describe('cnisim lab-validate', () => {
  const SPAN = join(import.meta.dirname, 'fixtures/lab-span');
  const SEARCHES = join(import.meta.dirname, 'fixtures/lab/max-rate-open-loop');

  async function runOut(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      out += String(s);
      return true;
    });
    try {
      const r = await run(args);
      return { ...r, out };
    } finally {
      spy.mockRestore();
    }
  }

  it('prints one row per option with the errors against the targets, in units', async () => {
    const r = await runOut([
      'lab-validate',
      '--runs',
      SPAN,
      SEARCHES,
      '--held-out',
      '8000',
      '--calibration-rates',
      '4000,16000',
      '--out',
      join(tmp, 'labfit', 'fit.json'),
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    // --out: a fitted profile (the simulate-reproduces-it check is in lab-acceptance.test.ts).
    const fit = JSON.parse(readFileSync(join(tmp, 'labfit', 'fit.json'), 'utf8'));
    expect(fit.kind).toBe('cnisim-fitted-profile');
    expect(fit.host).toBe('netns-lab');
    expect(Object.keys(fit.option_params)).toEqual(['flannel-host-gw', 'flannel-vxlan', 'net-host']);
    expect(r.err).toBe('');
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(
      /^option\s+calibration_rps\s+held_out_rps\s+p50_lab_ms\s+p50_predicted_ms\s+p50_error_pct/,
    );
    expect(lines).toHaveLength(4);
    // The same computation as the acceptance test (seed 1): the rows say what it asserts.
    expect(r.out).toMatch(
      /^net-host\s+4000\+16000\s+8000\s+0\.095\s+0\.116\s+22\.3\s+no\s+59000\s+54000\s+-8\.5\s+yes\s+0\.776\s+0\.965$/m,
    );
  }, 60_000);

  it('exits 3 on an unknown --cost-basis, naming the choices', async () => {
    const bad = await run(['lab-validate', '--runs', SPAN, '--cost-basis', 'linear', '--quiet']);
    expect(bad.code).toBe(3);
    expect(bad.err).toMatch(/--cost-basis.*expected one of by-rate, joint, cpu, tx-stages/);
  });

  it('exits 3 naming a rate the records lack, and on a calibration list that is not two rates', async () => {
    const miss = await run(['lab-validate', '--runs', SPAN, SEARCHES, '--held-out', '9000', '--quiet']);
    expect(miss.code).toBe(3);
    expect(miss.err).toMatch(/no open-loop records at 9000 requests\/s \(rates: 4000, 8000, 16000, 32000\)/);
    const one = await run(['lab-validate', '--runs', SPAN, '--calibration-rates', '4000', '--quiet']);
    expect(one.code).toBe(3);
    expect(one.err).toMatch(/--calibration-rates: give exactly two rates/);
  });
});
