import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSweepLog, optionFiles, pointKey, sweepSettings } from '../../cli/sweep-log.ts';
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

  // Model files of their own (a file under a built-in's id must be that built-in).
  function modelFile(name: string, builtin: string, id: string): string {
    const path = join(dir, name);
    const text = readFileSync(join('model', builtin), 'utf8');
    writeFileSync(path, text.replace(/^id: .*$/m, `id: ${id}`));
    return path;
  }
  const edit = (path: string, from: RegExp, to: string) => {
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(from);
    writeFileSync(path, text.replace(from, to));
  };
  const optPoint = (option: string) => ({ option, rate_rps: 1000, response_bytes: 350 });

  it('refuses to resume points of an option file that changed since, directly or through extends', () => {
    const opt = modelFile('my-opt.yaml', 'options/net-host.yaml', 'my-opt');
    const path = join(dir, 'opt.jsonl');
    const a = openSweepLog(path, sweepSettings(flags), false, optionFiles(['net-host', opt]));
    a.append(optPoint(opt), result(1000));
    a.append(point(1000), result(1000));
    a.close();
    expect(JSON.parse(lines(path)[1]!).option_file).toMatch(/my-opt\.yaml sha256:\w+ resolved sha256:\w+$/);
    expect(JSON.parse(lines(path)[2]!).option_file).toBeUndefined(); // a built-in id: versioned with the tool
    // Unchanged: resumed.
    const b = openSweepLog(path, sweepSettings(flags), true, optionFiles(['net-host', opt]));
    b.close();
    expect(b.done.size).toBe(2);
    edit(opt, /^mtu: 1500$/m, 'mtu: 9000');
    expect(() => openSweepLog(path, sweepSettings(flags), true, optionFiles(['net-host', opt]))).toThrow(
      /--resume: the option file \S+my-opt\.yaml changed since its points were logged/,
    );
    // A sweep without that option does not reuse its points: resumed.
    openSweepLog(path, sweepSettings(flags), true, optionFiles(['net-host'])).close();

    // A file extending it: its own bytes are unchanged, what it resolves to is not.
    const child = join(dir, 'my-child.yaml');
    writeFileSync(child, 'extends: my-opt.yaml\nid: my-child\n');
    const path2 = join(dir, 'opt-child.jsonl');
    const c = openSweepLog(path2, sweepSettings(flags), false, optionFiles([child]));
    c.append(optPoint(child), result(1000));
    c.close();
    edit(opt, /^mtu: 9000$/m, 'mtu: 1500');
    expect(() => openSweepLog(path2, sweepSettings(flags), true, optionFiles([child]))).toThrow(
      /--resume: a file the option file \S+my-child\.yaml extends changed since its points were logged/,
    );
  });

  it('resumes the points of an option file named by another path (relative, absolute, ./), and refuses them once it changed', () => {
    const opt = modelFile('path-opt.yaml', 'options/net-host.yaml', 'path-opt');
    const path = join(dir, 'path-opt.jsonl');
    const a = openSweepLog(path, sweepSettings(flags), false, optionFiles([opt]));
    a.append(optPoint(opt), result(1000));
    a.close();
    // The same file under other names: its point is this sweep's (before: run again under the new name).
    const rel = relative(process.cwd(), opt);
    for (const name of [rel, `./${rel}`, resolve(opt)]) {
      const b = openSweepLog(path, sweepSettings(flags), true, optionFiles([name]));
      b.close();
      expect([...b.done.keys()]).toEqual([pointKey(optPoint(name))]);
    }
    // A copy with the same content elsewhere gives the same results: reused too.
    const copy = join(dir, 'copy-of-path-opt.yaml');
    writeFileSync(copy, readFileSync(opt));
    const c = openSweepLog(path, sweepSettings(flags), true, optionFiles([copy]));
    c.close();
    expect([...c.done.keys()]).toEqual([pointKey(optPoint(copy))]);
    // Edited, and named by another path: refused as under its own name.
    edit(opt, /^mtu: 1500$/m, 'mtu: 9000');
    expect(() => openSweepLog(path, sweepSettings(flags), true, optionFiles([resolve(opt)]))).toThrow(
      /--resume: the option file \S+path-opt\.yaml changed since its points were logged/,
    );
  });

  it('fingerprints the host file a scenario names (unless --host overrides it), and resumes while it is unchanged', () => {
    const host = modelFile('sc-host.yaml', 'hosts/c4.8xlarge.yaml', 'sc-host');
    const scenario = join(dir, 'sc.yaml');
    writeFileSync(scenario, `host: ${host}\noption: net-host\n`);
    const path = join(dir, 'sc.jsonl');
    const a = openSweepLog(path, sweepSettings({ ...flags, scenario }), false);
    a.append(point(1000), result(1000));
    a.close();
    expect(JSON.parse(lines(path)[0]!).settings.scenario_host).toMatch(/sc-host\.yaml sha256:\w+ resolved/);
    const b = openSweepLog(path, sweepSettings({ ...flags, scenario }), true);
    b.close();
    expect(b.done.size).toBe(1);
    edit(host, /^ {2}smt_slowdown: 1\.6$/m, '  smt_slowdown: 1.7');
    expect(() => openSweepLog(path, sweepSettings({ ...flags, scenario }), true)).toThrow(
      /--resume: the log was written with scenario_host "\S+sc-host\.yaml sha256:\w+ .*", this sweep has "\S+sc-host\.yaml sha256:/,
    );
    // --host takes the scenario's host's place: the scenario's is not fingerprinted then.
    expect(sweepSettings({ ...flags, scenario, host: 'c4.8xlarge' }).scenario_host).toBeNull();
    // A built-in id is in the scenario's text, which is hashed.
    writeFileSync(scenario, 'host: c4.8xlarge\noption: net-host\n');
    expect(sweepSettings({ ...flags, scenario }).scenario_host).toBeNull();
  });

  it('resumes a log written before these fingerprints only where nothing it gives back rests on a file', () => {
    const opt = modelFile('old-opt.yaml', 'options/net-host.yaml', 'old-opt');
    const host = modelFile('old-host.yaml', 'hosts/c4.8xlarge.yaml', 'old-host');
    const scenario = join(dir, 'old-sc.yaml');
    writeFileSync(scenario, `host: ${host}\n`);
    // An older log: no scenario_host in the header, no option_file in the points.
    const old = (name: string, settings: Record<string, unknown>) => {
      const path = join(dir, name);
      const { scenario_host: _s, ...before } = settings;
      writeFileSync(
        path,
        `${[
          { cnisim_sweep: 1, settings: before },
          { point: point(1000), result: result(1000) },
          { point: optPoint(opt), result: result(1000) },
        ]
          .map((r) => JSON.stringify(r))
          .join('\n')}\n`,
      );
      return path;
    };
    const plain = old('old.jsonl', sweepSettings(flags));
    const b = openSweepLog(plain, sweepSettings(flags), true, optionFiles(['net-host']));
    b.close();
    expect(b.done.size).toBe(2);
    expect(() => openSweepLog(plain, sweepSettings(flags), true, optionFiles(['net-host', opt]))).toThrow(
      /--resume: line 3: the log predates option file fingerprints, so whether the option file \S+old-opt\.yaml changed/,
    );
    const withScenario = old('old-sc.jsonl', sweepSettings({ ...flags, scenario }));
    expect(() => openSweepLog(withScenario, sweepSettings({ ...flags, scenario }), true)).toThrow(
      /--resume: the log predates fingerprints of the files a scenario names/,
    );
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

  it('refuses a log it cannot write before any point runs (under /proc: an internal error on its lock)', () => {
    expect(() => openSweepLog('/proc/cnisim-no-such/s.jsonl', sweepSettings(flags), false)).toThrow(
      /--out: its folder \/proc\/cnisim-no-such cannot be created or written \(ENOENT\)/,
    );
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

  it('refuses (exit 3) to resume a log after its option file was edited', () => {
    const opt = join(dir, 'cli-opt.yaml');
    writeFileSync(
      opt,
      readFileSync('model/options/net-host.yaml', 'utf8').replace(/^id: .*$/m, 'id: cli-opt'),
    );
    const path = join(dir, 'cli-opt.jsonl');
    const run = (...more: string[]) =>
      cnisim('sweep', '--options', opt, '--rates', '50000', '--requests', '4000', '--out', path, ...more);
    expect(run().code).toBe(0);
    const same = run('--resume');
    expect(same.code).toBe(0);
    expect(same.err).toMatch(/1 point\(s\) already simulated/);
    writeFileSync(opt, readFileSync(opt, 'utf8').replace(/^mtu: 1500$/m, 'mtu: 9000'));
    const edited = run('--resume');
    expect(edited.code).toBe(3);
    expect(edited.err).toMatch(
      /--resume: the option file \S+cli-opt\.yaml changed since its points were logged/,
    );
  });

  it('--resume without --out is a usage error (exit 2)', () => {
    const r = cnisim(...grid, '--rates', '50000', '--resume');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--resume needs --out/);
  });
});
