/**
 * `cnisim study` as a user meets it, for the parts that need no simulation: bad input is one line
 * naming the flag and value with the documented exit code, and lab-validation without records
 * writes a report that says so plainly (exit 0).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { chromiumMissingReason, openReport } from './helpers/browser.ts';
import { tempDirs } from './helpers/temp-dirs.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin', 'cnisim.mjs');
const tmp = tempDirs('cnisim-study-cli-');

function cnisim(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 90_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI in this process (no tsx start-up per case) and captures stdout and stderr. */
async function cnisimInProcess(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const so = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out.push(String(s));
    return true;
  });
  const se = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err.push(String(s));
    return true;
  });
  try {
    const code = await main(['node', 'cnisim', ...args]);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
}

describe('cnisim study: bad input', () => {
  it('an unknown study is a usage error naming it (exit 2)', async () => {
    const r = await cnisimInProcess(['study', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/study: unknown study "nope"; known: seed, capacity, what-if, lab-validation/);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('capacity-only flags elsewhere are a usage error; an unknown --host is invalid input (exit 3)', async () => {
    const seed = await cnisimInProcess(['study', 'seed', '--host', 'netns-lab', '--target-rps', '1M']);
    expect(seed.code).toBe(2);
    expect(seed.stderr).toMatch(
      /study seed: --host applies only to capacity and what-if; --target-rps applies only to capacity/,
    );
    // --runs is lab-validation's (it was silently ignored), and the reason about the seed study is
    // given only to the seed study.
    const runs = await cnisimInProcess(['study', 'capacity', '--quick', '--runs', 'foo']);
    expect(runs.code).toBe(2);
    expect(runs.stderr).toMatch(/study capacity: --runs applies only to lab-validation\n/);
    const host = await cnisimInProcess(['study', 'capacity', '--quick', '--host', 'nope']);
    expect(host.code).toBe(3);
    expect(host.stderr).toMatch(/--host: unknown host profile .*\(got "nope"\)/);
  });

  it('a seed that is not a whole number is a usage error (exit 2)', async () => {
    const r = await cnisimInProcess(['study', 'seed', '--seed', 'abc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--seed/);
  });

  it('a profile file that does not exist is invalid input naming --profile (exit 3)', async () => {
    const r = await cnisimInProcess([
      'study',
      'seed',
      '--quick',
      '--profile',
      '/nonexistent/fitted.json',
      '--out',
      tmp(),
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe('cnisim: --profile: no such file (got "/nonexistent/fitted.json")');
  });

  it('a file that is not a profile is refused before the study says it predicts with it', async () => {
    const bad = join(tmp(), 'bad.json');
    writeFileSync(bad, '{"x": 1}');
    const r = await cnisimInProcess(['study', 'seed', '--quick', '--profile', bad, '--out', tmp()]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toMatch(/^cnisim: --profile: a fitted profile needs a "params" object/);
    expect(r.stderr).not.toMatch(/predicting with/);
  });

  it('a --runs path that does not exist is invalid input naming it (exit 3)', async () => {
    const r = await cnisimInProcess([
      'study',
      'lab-validation',
      '--runs',
      '/nonexistent/runs',
      '--out',
      tmp(),
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/\/nonexistent\/runs: no such file or directory/);
  });

  it('--help shows an example', async () => {
    const r = await cnisimInProcess(['study', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\$ cnisim study seed --quick/);
  });
});

describe('cnisim study lab-validation with no records', () => {
  it('writes a report that says plainly there is nothing to validate', async () => {
    const cwd = tmp(); // no runs/lab here
    const out = join(cwd, 'report');
    const r = cnisim(['study', 'lab-validation', '--out', out, '--no-progress'], cwd);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/No lab run records found \(looked in runs\/lab\)/);
    expect(r.stderr).toContain(join(out, 'index.html'));
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/\*\*No lab run records were found\*\*/);
    expect(existsSync(join(out, 'data.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'data.json'), 'utf8')).data.records_read).toBe(0);
    if (chromiumMissingReason() === null) {
      const seen = await openReport(join(out, 'index.html'));
      expect(seen.consoleErrors).toEqual([]);
      expect(seen.text).toMatch(/No lab run records were found/);
    }
  });
});

describe('cnisim study and its output folder', () => {
  it('refuses a folder the report cannot go to before simulating anything (exit 3)', () => {
    const root = tmp();
    const file = join(root, 'afile');
    writeFileSync(file, 'keep me');
    const started = Date.now();
    const r = cnisim(['study', 'seed', '--quick', '--out', file]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/--out: is a file, not a folder/);
    expect(r.stderr).not.toMatch(/replications|points/); // no simulation ran
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('on Ctrl-C while simulating: exits 130, says nothing was written, and writes nothing', async () => {
    const out = join(tmp(), 'seed');
    const child = spawn(process.execPath, [BIN, 'study', 'seed', '--quick', '--out', out], { cwd: ROOT });
    let stderr = '';
    const done = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    child.stderr.on('data', (d: Buffer) => {
      stderr += String(d);
      // The first progress line: the simulation has started.
      if (/study seed: \d+\/\d+/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const code = await done;
    clearTimeout(timer);
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/study seed: interrupted; nothing written/);
    expect(existsSync(out)).toBe(false);
  }, 150_000);
});
