/**
 * Where calibrate, lab-validate, validate and import write, checked before any work (cli/out-file.ts,
 * cli/profile-out.ts), what a --runs folder may hold (harness/run-record-io.ts), and the measured
 * column of the tables at the records' resolution.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadLabelledRecords } from '../../calibration/records.ts';
import { main } from '../../cli/main.ts';
import { loadRunRecords, RunRecordError, writeRunRecord } from '../../harness/run-record-io.ts';

const tmp = mkdtempSync(join(tmpdir(), 'cnisim-out-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const WAKEUPS = join(import.meta.dirname, 'fixtures/lab-wakeups');
const NET_HOST_8000 = '0003-net-host-8000rps-r0.json';
const SEED_TABLES = fileURLToPath(
  new URL('../../../shared/reference/seed-study-calibration.json', import.meta.url),
);
const BIN = fileURLToPath(new URL('../../bin/cnisim.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const haveProc = existsSync('/proc/self') && existsSync('/sys/kernel');

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const so = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  const se = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  try {
    return { code: await main(['node', 'cnisim', ...args]), out, err };
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
}

/** A child process with a timeout: a hang (Node's recursive mkdir under /proc) fails, not blocks. */
function child(args: string[]): { code: number | null; err: string } {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000, cwd: ROOT });
  return { code: r.status, err: r.stderr };
}

/** A fresh copy of a fixture folder (a refusal that failed must not damage the fixture). */
function copyOf(src: string, name: string): string {
  const dst = join(tmp, name);
  cpSync(src, dst, { recursive: true });
  return dst;
}

/** A folder holding one lab record (latency_resolution_ms 0.001; p50 0.155 ms). */
function oneRecord(name: string): string {
  const d = join(tmp, name);
  mkdirSync(d, { recursive: true });
  cpSync(join(WAKEUPS, NET_HOST_8000), join(d, NET_HOST_8000));
  return d;
}

/** A fitted profile of that one record: a fast calibrate (its numbers do not matter here). */
const FAST = [
  '--host',
  'netns-lab',
  '--budget-evals',
  '2',
  '--requests',
  '500',
  '--no-uncertainty',
  '--quiet',
];
let profile = '';
let calibrateOut = '';
beforeAll(async () => {
  profile = join(tmp, 'profiles', 'fit.json');
  const r = await run(['calibrate', '--runs', oneRecord('fit-runs'), '--out', profile, ...FAST]);
  if (r.code !== 0) throw new Error(`calibrate for the test profile failed: ${r.err}`);
  calibrateOut = r.out;
});

/** A copy of the profile for one test: a failed refusal there must not break the other tests. */
function profileCopy(name: string): string {
  const p = join(tmp, `${name}-profile.json`);
  cpSync(profile, p);
  return p;
}

describe('lab-validate --out: nothing is lost (A1)', () => {
  const LAB = ['lab-validate', '--held-out', '8000', '--calibration-rates', '4000,32000', '--quiet'];

  it('refuses a record being fitted, an existing file that is not a profile, and a path in a --runs folder, before fitting', async () => {
    const runs = copyOf(WAKEUPS, 'a1-runs');
    const rec = join(runs, '0000-net-host-4000rps-r0.json');
    const before = readFileSync(rec, 'utf8');
    const a = await run([...LAB, '--runs', runs, '--out', rec]);
    expect(a.code).toBe(3);
    expect(a.err).toMatch(/--out: is one of the run records being fitted/);
    expect(readFileSync(rec, 'utf8')).toBe(before);

    const notes = join(tmp, 'important.json');
    writeFileSync(notes, '{"important":true}');
    const b = await run([...LAB, '--runs', runs, '--out', notes]);
    expect(b.code).toBe(3);
    expect(b.err).toMatch(/--out: the file exists and is not a fitted profile: name another file/);
    expect(readFileSync(notes, 'utf8')).toBe('{"important":true}');

    const c = await run([...LAB, '--runs', runs, '--out', join(runs, 'fit.json')]);
    expect(c.code).toBe(3);
    expect(c.err).toMatch(/--out: fit\.json would be inside the runs folder .*a1-runs.*: write it elsewhere/);
    expect(existsSync(join(runs, 'fit.json'))).toBe(false);
  });

  it('refuses an --out it cannot write before fitting, naming it (C2)', async () => {
    const file = join(tmp, 'a-file.json');
    writeFileSync(file, '');
    const a = await run([...LAB, '--runs', WAKEUPS, '--out', join(file, 'fit.json')]);
    expect(a.code).toBe(3);
    expect(a.err).toMatch(/--out: .*a-file\.json is a file, not a directory/);
    if (haveProc) {
      const p = await run([...LAB, '--runs', WAKEUPS, '--out', '/proc/cnisim-fit.json']);
      expect(p.code).toBe(3);
      expect(p.err).toMatch(/--out: its folder \/proc cannot be created or written \(ENOENT\)/);
    }
  });

  it('keeps a fitted profile it replaces beside it', async () => {
    const out = join(tmp, 'a1-keep', 'fit.json');
    mkdirSync(join(tmp, 'a1-keep'));
    const old = JSON.stringify({ kind: 'cnisim-fitted-profile', finished_at: '2026-01-02T03:04:05.000Z' });
    writeFileSync(out, old);
    const r = await run([...LAB, '--runs', WAKEUPS, '--out', out]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(tmp, 'a1-keep', 'fit.2026-01-02T03-04-05-000Z.json'), 'utf8')).toBe(old);
    expect(JSON.parse(readFileSync(out, 'utf8')).host).toBe('netns-lab');
    expect(readdirSync(join(tmp, 'a1-keep')).sort()).toEqual([
      'fit.2026-01-02T03-04-05-000Z.json',
      'fit.json',
    ]);
  }, 120_000);
});

describe('validate --out-chart: inputs and other files are never replaced (A2, C2)', () => {
  it('refuses the profile, a record, a file of another kind, a directory, a name without .svg, a path it cannot write', async () => {
    const runs = oneRecord('a2-runs');
    const profile = profileCopy('a2');
    const rec = join(runs, NET_HOST_8000);
    const recBefore = readFileSync(rec, 'utf8');
    const profBefore = readFileSync(profile, 'utf8');
    const v = (chart: string) =>
      run(['validate', '--profile', profile, '--runs', runs, '--out-chart', chart, '--quiet']);

    const p = await v(profile);
    expect(p.code).toBe(3);
    expect(p.err).toMatch(/--out-chart: the chart would replace the --profile being read/);
    const r = await v(rec);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/--out-chart: the chart would replace one of the run records being validated/);
    expect(readFileSync(profile, 'utf8')).toBe(profBefore);
    expect(readFileSync(rec, 'utf8')).toBe(recBefore);

    const page = join(tmp, 'page.svg');
    writeFileSync(page, '<html>mine</html>');
    const s = await v(page);
    expect(s.code).toBe(3);
    expect(s.err).toMatch(/--out-chart: the file exists and is not an SVG chart/);
    expect(readFileSync(page, 'utf8')).toBe('<html>mine</html>');

    writeFileSync(join(tmp, 'notes.vl.json'), '{"mine":true}');
    const j = await v(join(tmp, 'notes.svg'));
    expect(j.code).toBe(3);
    expect(j.err).toMatch(/notes\.vl\.json exists and is not a Vega-Lite spec/);
    expect(existsSync(join(tmp, 'notes.svg'))).toBe(false);

    const d = await v(tmp);
    expect(d.code).toBe(3);
    expect(d.err).toMatch(/--out-chart: is a directory/);
    const png = await v(join(tmp, 'chart.png'));
    expect(png.code).toBe(3);
    expect(png.err).toMatch(/--out-chart: name an \.svg file/);
    if (haveProc) {
      const proc = await v('/proc/cnisim-chart.svg');
      expect(proc.code).toBe(3);
      expect(proc.err).toMatch(/--out-chart: its folder \/proc cannot be created or written/);
    }
  });

  it('refuses a chart inside a --runs folder (its .vl.json would be read as a record), and writes over its own chart elsewhere', async () => {
    const runs = oneRecord('a2-inside');
    const profile = profileCopy('a2-inside');
    const inside = await run([
      'validate',
      '--profile',
      profile,
      '--runs',
      runs,
      '--out-chart',
      join(runs, 'validate.svg'),
      '--requests',
      '500',
      '--quiet',
    ]);
    expect(inside.code).toBe(3);
    expect(inside.err).toMatch(/--out-chart: validate\.vl\.json would be inside the runs folder/);
    expect(readdirSync(runs)).toEqual([NET_HOST_8000]);

    const chart = join(tmp, 'charts', 'validate.svg');
    for (let i = 0; i < 2; i++) {
      const ok = await run([
        'validate',
        '--profile',
        profile,
        '--runs',
        runs,
        '--out-chart',
        chart,
        '--requests',
        '500',
        '--quiet',
      ]);
      expect(ok.code).toBe(0);
    }
    expect(readFileSync(chart, 'utf8')).toMatch(/<svg/);
    expect(JSON.parse(readFileSync(join(tmp, 'charts', 'validate.vl.json'), 'utf8')).$schema).toMatch(
      /vega-lite/,
    );
    expect(readdirSync(join(tmp, 'charts')).sort()).toEqual(['validate.svg', 'validate.vl.json']);
    expect(loadLabelledRecords([runs])).toHaveLength(1);
  });
});

describe('calibrate --out that cannot be written: refused before fitting (C2)', () => {
  it('names --out for a file where its folder should be, and for /proc', async () => {
    const runs = oneRecord('c2-runs');
    const file = join(tmp, 'c2-file.json');
    writeFileSync(file, '');
    const a = await run(['calibrate', '--runs', runs, '--out', join(file, 'x.json'), ...FAST]);
    expect(a.code).toBe(3);
    expect(a.err).toMatch(/--out: .*c2-file\.json is a file, not a directory/);
    if (haveProc) {
      const p = await run(['calibrate', '--runs', runs, '--out', '/proc/cnisim-x.json', ...FAST]);
      expect(p.code).toBe(3);
      expect(p.err).toMatch(/--out: its folder \/proc cannot be created or written \(ENOENT\)/);
    }
  });
});

describe('import seed-tables --out and the record writer under /proc and /sys (C1)', () => {
  it.skipIf(!haveProc)('exits 3 naming --out instead of hanging or an internal error', () => {
    const p = child([BIN, 'import', 'seed-tables', SEED_TABLES, '--out', '/proc/cnisim-xx']);
    expect(p.code).toBe(3);
    expect(p.err).toMatch(/--out: cannot be created or written \(ENOENT\)/);
    const s = child([BIN, 'import', 'seed-tables', SEED_TABLES, '--out', '/sys/cnisim-xx']);
    expect(s.code).toBe(3);
    expect(s.err).toMatch(/--out: cannot be created or written \(EPERM\)/);
  });

  it.skipIf(!haveProc)(
    'writeRunRecord refuses a directory under /proc (RunRecordError) instead of looping',
    () => {
      const rec = JSON.stringify(join(WAKEUPS, NET_HOST_8000));
      const io = JSON.stringify(join(ROOT, 'harness/run-record-io.ts'));
      const script = `const m = await import(${io}); const fs = await import('node:fs');
      const r = JSON.parse(fs.readFileSync(${rec}, 'utf8'));
      try { m.writeRunRecord('/proc/cnisim-xx/run', r); console.error('written'); }
      catch (e) { console.error(e.name + ': ' + e.message); process.exitCode = e.exitCode ?? 1; }`;
      const c = child(['--import', 'tsx/esm', '--input-type=module', '-e', script]);
      expect(c.err).toMatch(/RunRecordError: \/proc\/cnisim-xx\/run: cannot be created \(ENOENT\)/);
      expect(c.code).toBe(3);
    },
  );

  it('writeRunRecord below a file is a RunRecordError (exit 3), not an internal error', () => {
    const file = join(tmp, 'c1-file');
    writeFileSync(file, '');
    const rec = JSON.parse(readFileSync(join(WAKEUPS, NET_HOST_8000), 'utf8'));
    expect(() => writeRunRecord(join(file, 'run'), rec)).toThrow(RunRecordError);
    expect(() => writeRunRecord(join(file, 'run'), rec)).toThrow(
      /c1-file\/run: cannot be created \(ENOTDIR\)/,
    );
  });
});

describe('a --runs folder holding JSON that is not a run record (C3)', () => {
  it('refuses a calibrate --out inside its --runs folder', async () => {
    const runs = oneRecord('c3-out');
    const r = await run(['calibrate', '--runs', runs, '--out', join(runs, 'fit.json'), ...FAST]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/--out: fit\.json would be inside the runs folder/);
    expect(readdirSync(runs)).toEqual([NET_HOST_8000]);
  });

  it('names a fitted profile, a chart spec and any other JSON as what they are, not with a schema dump', async () => {
    const withProfile = oneRecord('c3-profile');
    cpSync(profile, join(withProfile, 'fit.json'));
    const c = await run(['calibrate', '--runs', withProfile, '--out', join(tmp, 'c3.json'), ...FAST]);
    expect(c.code).toBe(3);
    expect(c.err).toMatch(/fit\.json: is a fitted profile, not a run record: move it out of the runs folder/);
    expect(c.err).not.toMatch(/schema_version/);

    const withPackage = oneRecord('c3-package');
    writeFileSync(join(withPackage, 'package.json'), '{"name":"x"}');
    expect(() => loadLabelledRecords([withPackage])).toThrow(
      /package\.json: is not a run record \(it has no schema_version.*\): move it out of the runs folder/,
    );
    expect(() => loadRunRecords([withPackage])).toThrow(/package\.json: is not a run record/);

    const withSpec = oneRecord('c3-spec');
    writeFileSync(
      join(withSpec, 'v.vl.json'),
      '{"$schema":"https://vega.github.io/schema/vega-lite/v6.json"}',
    );
    const v = await run(['validate', '--profile', profile, '--runs', withSpec, '--quiet']);
    expect(v.code).toBe(3);
    expect(v.err).toMatch(/v\.vl\.json: is a Vega-Lite chart spec .*not a run record/);

    const withArray = oneRecord('c3-array');
    writeFileSync(join(withArray, 'list.json'), '[1, 2]');
    expect(() => loadLabelledRecords([withArray])).toThrow(
      /list\.json: is not a run record \(not a JSON object\)/,
    );
  });
});

describe('measured_ms at the lab records’ resolution (B4)', () => {
  it('validate and calibrate print 0.155, not 0.2', async () => {
    const runs = oneRecord('b4-runs');
    const v = await run(['validate', '--profile', profile, '--runs', runs, '--requests', '500', '--quiet']);
    expect(v.code).toBe(0);
    expect(v.out).toMatch(/^net-host\s+8000\s+350\s+p50\s+0\.155\s/m);
    expect(v.out).toMatch(/^net-host\s+8000\s+350\s+p90\s+0\.262\s/m);
    expect(calibrateOut).toMatch(/^net-host\s+8000\s+350\s+p50\s+0\.155\s/m);
  });
});
