import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSweepLog, pointKey, sweepSettings } from '../../cli/sweep-log.ts';
import type { SimResult } from '../../sim/result.ts';
import { cnisim } from './helpers/run-cnisim.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnisim-sweep-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const flags = { set: [], seed: 1, replications: 2, requests: 1000 };
const point = (rate_rps: number) => ({ option: 'net-host', rate_rps, response_bytes: 350 });
// Stand-ins for simulate results: the log stores and returns whatever it is given.
const result = (rate_rps: number) => ({ option: 'net-host', rate_rps }) as unknown as SimResult;

function lines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

describe('sweep log', () => {
  it('writes a header and one line per point, and gives them back on resume', () => {
    const path = join(dir, 'a.jsonl');
    const a = openSweepLog(path, sweepSettings(flags), false);
    a.append(point(1000), result(1000));
    a.append(point(2000), result(2000));
    a.close();
    expect(lines(path)).toHaveLength(3);
    expect(JSON.parse(lines(path)[0]!).settings.seed).toBe(1);
    const b = openSweepLog(path, sweepSettings(flags), true);
    b.close();
    expect([...b.done.keys()]).toEqual([pointKey(point(1000)), pointKey(point(2000))]);
    expect(b.done.get(pointKey(point(2000)))).toEqual(result(2000));
  });

  it('never overwrites a log, and refuses to resume one written with other settings', () => {
    const path = join(dir, 'b.jsonl');
    openSweepLog(path, sweepSettings(flags), false).close();
    expect(() => openSweepLog(path, sweepSettings(flags), false)).toThrow(/--out: the file exists/);
    expect(() => openSweepLog(path, sweepSettings({ ...flags, seed: 2 }), true)).toThrow(
      /--resume: the log was written with seed 1, this sweep has 2/,
    );
    expect(() => openSweepLog(path, sweepSettings({ ...flags, set: ['host.rps_cpus=0-17'] }), true)).toThrow(
      /with set \[\], this sweep has \["host.rps_cpus=0-17"\]/,
    );
  });

  it('identifies a profile file by its content', () => {
    const prof = join(dir, 'fitted.json');
    writeFileSync(prof, '{"a":1}');
    const before = sweepSettings({ ...flags, profile: prof });
    writeFileSync(prof, '{"a":2}');
    expect(sweepSettings({ ...flags, profile: prof }).profile).not.toBe(before.profile);
  });

  it('drops a last line cut short by an interruption and appends after the last whole line', () => {
    const path = join(dir, 'c.jsonl');
    const a = openSweepLog(path, sweepSettings(flags), false);
    a.append(point(1000), result(1000));
    a.close();
    appendFileSync(path, '{"point":{"option":"net-h');
    const b = openSweepLog(path, sweepSettings(flags), true);
    expect(b.done.size).toBe(1);
    b.append(point(2000), result(2000));
    b.close();
    expect(lines(path).map((l) => JSON.parse(l).point?.rate_rps ?? 'header')).toEqual(['header', 1000, 2000]);
  });

  it('starts a new log on resume when the file is missing or holds only part of a header', () => {
    const path = join(dir, 'd.jsonl');
    openSweepLog(path, sweepSettings(flags), true).close();
    expect(lines(path)).toHaveLength(1);
    writeFileSync(path, '{"cnisim_swe');
    const b = openSweepLog(path, sweepSettings(flags), true);
    b.close();
    expect(b.done.size).toBe(0);
    expect(JSON.parse(lines(path)[0]!).cnisim_sweep).toBe(1);
  });

  it('never erases a file without a whole line that is not the start of a header', () => {
    for (const [name, text] of [
      ['notes.txt', 'important notes, no trailing newline'],
      ['record.json', '{"schema_version":1,"option":"net-host"}'],
    ] as const) {
      const path = join(dir, name);
      writeFileSync(path, text);
      expect(() => openSweepLog(path, sweepSettings(flags), true)).toThrow(/something else than a sweep log/);
      expect(readFileSync(path, 'utf8')).toBe(text);
    }
  });

  it('lets one process write a log at a time, and takes over a lock whose process is gone', () => {
    const path = join(dir, 'locked.jsonl');
    openSweepLog(path, sweepSettings(flags), false).close();
    expect(existsSync(`${path}.lock`)).toBe(false); // released on close
    // Another live process holds it (our parent stands in): refused, naming it.
    writeFileSync(`${path}.lock`, `${process.ppid}\n`);
    expect(() => openSweepLog(path, sweepSettings(flags), true)).toThrow(
      new RegExp(`--out: another process \\(pid ${process.ppid}\\) is writing it`),
    );
    // Its holder is gone (a pid no process has): taken over.
    const gone = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    writeFileSync(`${path}.lock`, `${gone}\n`);
    const b = openSweepLog(path, sweepSettings(flags), true);
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(`${process.pid}\n`);
    b.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('refuses a damaged line in the middle', () => {
    const path = join(dir, 'e.jsonl');
    openSweepLog(path, sweepSettings(flags), false).close();
    appendFileSync(path, 'not json\n{"point":{},"result":{}}\n');
    expect(() => openSweepLog(path, sweepSettings(flags), true)).toThrow(/line 2 is not JSON/);
  });
});

describe('cnisim sweep --out / --resume', () => {
  const grid = ['sweep', '--options', 'net-host', '--response-bytes', '350', '--requests', '20000'];
  const noWall = (rs: Array<Record<string, unknown>>) => rs.map(({ wall_s: _w, ...r }) => r);

  it('resumes a logged sweep on a larger grid: only the new point runs, the output equals a fresh sweep', () => {
    const path = join(dir, 'cli.jsonl');
    const first = cnisim(...grid, '--rates', '50000,100000', '--replications', '2', '--out', path);
    expect(first.code).toBe(0);
    expect(lines(path)).toHaveLength(3);
    const resumed = cnisim(
      ...grid,
      '--rates',
      '50000,100000,150000',
      '--replications',
      '2',
      '--out',
      path,
      '--resume',
      '--json',
    );
    expect(resumed.code).toBe(0);
    expect(resumed.err).toMatch(/2 point\(s\) already simulated/);
    expect(lines(path)).toHaveLength(4);
    const fresh = cnisim(...grid, '--rates', '50000,100000,150000', '--replications', '2', '--json');
    expect(fresh.code).toBe(0);
    // The simulator is deterministic for a seed: logged points are the points a fresh run makes.
    expect(noWall(JSON.parse(resumed.out))).toEqual(noWall(JSON.parse(fresh.out)));
  });

  it('--resume without --out is a usage error (exit 2)', () => {
    const r = cnisim(...grid, '--rates', '50000', '--resume');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--resume needs --out/);
  });
});
