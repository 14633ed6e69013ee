/**
 * The harness and lab commands as a user runs them, through cli/main.ts in this process (a CLI
 * start costs seconds on these machines): exit codes, and one-line errors naming the field.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { nginxVersion } from '../../harness/nginx/server.ts';
import { detectTcpkali } from '../../harness/tcpkali/run.ts';

const FX = join(import.meta.dirname, 'fixtures');
let main: (argv: string[]) => Promise<number>;

beforeAll(async () => {
  ({ main } = await import('../../cli/main.ts'));
}, 60_000);
afterEach(() => {
  vi.restoreAllMocks();
});

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    stdout += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    stderr += String(s);
    return true;
  });
  const code = await main(['node', 'cnisim', ...args]);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

/** `cnisim harness run` on net-host; every case here fails before a step runs, so --out is never written. */
const harnessRun = (...args: string[]) =>
  cli('harness', 'run', '--option', 'net-host', '--out', '/tmp/cns-never', ...args);

describe('cnisim harness / lab CLI', () => {
  it('refuses a rate above what the generator can offer (exit 3, one line naming --rates)', async () => {
    const r = await harnessRun('--lab', '--rates', '100000');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^cnisim: --rates: is above what cnisim-openloop can offer.*\(got 100000\)\n$/);
  });
  it('names a run order it does not know (exit 3, before anything is checked on the machine)', async () => {
    const r = await harnessRun('--lab', '--rates', '1000', '--order', 'random');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^cnisim: --order: .*by-repeat.*phases.*\(got "random"\)\n$/);
  });
  it('refuses more search repeats than repeats, and search flags without open-loop searches (before any machine check)', async () => {
    const more = await harnessRun(
      '--lab',
      '--rates',
      '1000',
      '--repeat',
      '3',
      '--max-rate',
      'open-loop',
      '--search-repeats',
      '4',
    );
    expect(more.code).toBe(3);
    expect(more.stderr).toMatch(/^cnisim: --search-repeats: must be at most --repeat \(3\) \(got "4"\)\n$/);
    const zero = await harnessRun(
      '--lab',
      '--rates',
      '1000',
      '--max-rate',
      'open-loop',
      '--search-repeats',
      '0',
    );
    expect(zero.code).toBe(3);
    expect(zero.stderr).toMatch(/^cnisim: --search-repeats: /);
    const wrk = await harnessRun('--lab', '--rates', '1000', '--max-rate', 'wrk', '--search-duration-s', '5');
    expect(wrk.code).toBe(2);
    expect(wrk.stderr).toMatch(/--search-repeats and --search-duration-s need --max-rate open-loop/);
  });
  it('refuses an --out that already holds run records, before any machine check (records are never overwritten)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cns-used-'));
    mkdirSync(join(out, 'earlier'));
    writeFileSync(join(out, 'earlier', '0000-net-host-1000rps-r0.json'), '{}');
    const r = await cli('harness', 'run', '--lab', '--option', 'net-host', '--rates', '1000', '--out', out);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /^cnisim: --out: already holds 1 run record\(s\): write this run into a new directory/,
    );
    const imp = await cli('import', 'seed-tables', join(FX, 'missing.json'), '--out', out);
    expect(imp.code).toBe(3);
    expect(imp.stderr).toMatch(/^cnisim: --out: already holds 1 run record/);
    rmSync(out, { recursive: true, force: true });
  });
  it('refuses, before building anything, what would measure something else than asked or lose every step', async () => {
    // A CPU this process may not use: nginx ran unpinned (recorded as pinned), taskset failed every step.
    const cpu = await harnessRun('--lab', '--rates', '1000', '--nginx-cpus', '4095');
    expect(cpu.code).toBe(3);
    expect(cpu.stderr).toMatch(/^cnisim: --nginx-cpus: names CPU 4095, which this host lacks \(it has \d/);
    const gen = await harnessRun('--lab', '--rates', '1000', '--generator-cpus', '0,4095');
    expect(gen.code).toBe(3);
    expect(gen.stderr).toMatch(/^cnisim: --generator-cpus: names CPU 4095/);
    // Ranges are CPU lists too.
    const range = await harnessRun('--lab', '--rates', '1000', '--nginx-cpus', '0-4095');
    expect(range.stderr).toMatch(/--nginx-cpus: names CPUs? \d/);
    // Tag rule (was an internal error after the run's header), empty run id (every record refused).
    const tag = await harnessRun('--lab', '--rates', '1000', '--tag', 'a b');
    expect(tag.code).toBe(3);
    expect(tag.stderr).toMatch(/^cnisim: --tag: must be 1-12 lowercase letters or digits.*\(got "a b"\)\n$/);
    const id = await harnessRun('--lab', '--rates', '1000', '--run-id', '');
    expect(id.code).toBe(3);
    expect(id.stderr).toMatch(/^cnisim: --run-id: must not be empty/);
    // The same point twice: four records of "repeat 0".
    const twice = await cli(
      'harness',
      'run',
      '--lab',
      '--option',
      'net-host,net-host',
      '--rates',
      '1000',
      '--out',
      '/tmp/cns-never',
    );
    expect(twice.code).toBe(3);
    expect(twice.stderr).toMatch(/--option: net-host is listed twice \(use --repeat for repeats\)/);
    const rates = await harnessRun('--lab', '--rates', '1000,1000');
    expect(rates.code).toBe(3);
    expect(rates.stderr).toMatch(/--rates: 1000 is listed twice/);
    const lab = await cli('lab', 'up', '--option', 'net-host', '--tag', 'A!');
    expect(lab.code).toBe(3);
    expect(lab.stderr).toMatch(/^cnisim: --tag: must be 1-12 lowercase letters or digits/);
  });
  it('refuses an --out it cannot create or write, before any machine check (under /proc it looped forever)', async () => {
    const r = await cli(
      'harness',
      'run',
      '--lab',
      '--option',
      'net-host',
      '--rates',
      '1000',
      '--out',
      '/proc/cns-x/run',
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^cnisim: --out: cannot be created or written \(ENOENT\)/);
  });
  it('names an unknown option', async () => {
    const r = await cli('lab', 'up', '--option', 'calico');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/--option: unknown option; one of net-host.*\(got "calico"\)/);
  });
  it('harness run without --lab is a usage error pointing at plan', async () => {
    const r = await harnessRun('--rates', '1000');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--lab.*harness plan/);
  });
  // nginx is checked first: without it (CI installs nginx-light) the generator is never reached.
  it.skipIf(detectTcpkali().found || process.getuid?.() !== 0 || nginxVersion() === null)(
    'asking for tcpkali where it is not installed says so',
    async () => {
      const r = await harnessRun('--lab', '--rates', '1000', '--generator', 'tcpkali');
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/--generator: tcpkali is not installed \(it is not packaged in Debian/);
    },
  );
  it('a cut-off tcpkali log: exit 3, one line with file and line', async () => {
    const r = await cli('harness', 'parse-tcpkali', join(FX, 'tcpkali', 'cut-off-d3.txt'));
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cut-off-d3\.txt:9: tcpkali summary: cut off/);
  });
  it('parses a good log to JSON and prints the record JSON Schema', async () => {
    const good = await cli('harness', 'parse-tcpkali', '--json', join(FX, 'tcpkali', 'd2-1.1-issue53.txt'));
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout).format).toBe('1.1+');
    const schema = await cli('harness', 'schema');
    expect(schema.code).toBe(0);
    expect(JSON.parse(schema.stdout).title).toBe('cnisim run record');
  });
});
