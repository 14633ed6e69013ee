import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { snapshotFromDump, snapshotScript } from '../../harness/counters/dump.ts';
import { importStep, listStepDirs } from '../../harness/import.ts';
import { buildPlan, defaultTargetWarnings, type PlanInput } from '../../harness/plan.ts';
import { parseRunRecord } from '../../harness/run-record-io.ts';
import { cnisim } from '../cli/helpers/run-cnisim.ts';
import { tempDirs } from '../notebooks/helpers/temp-dirs.ts';

const input: PlanInput = {
  server: 'srv',
  client: 'cli',
  option: 'flannel-host-gw',
  driver: 'veth+bridge',
  rates: [50000, 150000],
  repeat: 2,
  connections: 3000,
  duration_s: 30,
  target: '10.244.2.5:80',
  response: 'small',
  workers: 18,
  client_cpus: '0-17',
  nginx_cpus: [0, 1],
  write_combine: true,
  server_interface: 'eth0',
  client_interface: 'eth0',
  nginx_dir: '/tmp/cnisim-nginx',
};

const tmp = tempDirs('cns-plan-', afterEach);

describe('harness plan', () => {
  const plan = buildPlan(input);

  it('emits syntactically valid POSIX sh scripts', () => {
    const d = tmp();
    for (const [name, text] of Object.entries(plan.files)) {
      writeFileSync(join(d, name), text);
      const r = spawnSync('sh', ['-n', join(d, name)], { encoding: 'utf8' });
      expect(r.status, `${name}: ${r.stderr}`).toBe(0);
    }
  });

  it('interleaves repeats and rates, with the exact tcpkali command of each step', () => {
    expect(plan.steps.map((s) => [s.requested_rps, s.repeat])).toEqual([
      [50000, 0],
      [150000, 0],
      [50000, 1],
      [150000, 1],
    ]);
    const s = plan.steps[1]!;
    expect(s.argv.slice(0, 4)).toEqual(['taskset', '-c', '0-17', 'tcpkali']);
    expect(s.argv[s.argv.indexOf('-r') + 1]).toBe('50'); // 150000 / 3000 connections
    expect(plan.files['client.sh']).toContain("-em 'GET /r350 HTTP/1.1\\r\\nHost: 10.244.2.5\\r\\n\\r\\n'");
    expect(plan.files['server.sh']).toContain('worker_cpu_affinity 1 10;');
    expect(plan.files['server.sh']).toContain('listen 10.244.2.5:80');
  });

  it("tune.sh takes the host's role and passes it, with that host's interface, to harness tune", () => {
    const d = tmp();
    const files = buildPlan({ ...input, server_interface: 'ens5', client_interface: 'eth1' }).files;
    writeFileSync(join(d, 'tune.sh'), files['tune.sh']!);
    // A fake npx that prints the command tune.sh would run.
    writeFileSync(join(d, 'npx'), '#!/bin/sh\necho "$@"\n', { mode: 0o755 });
    const tune = (...args: string[]) =>
      spawnSync('sh', [join(d, 'tune.sh'), ...args], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${d}:${process.env.PATH}` },
      });
    const client = tune('client');
    expect(client.status, client.stderr).toBe(0);
    expect(client.stdout.trim()).toBe('cnisim harness tune --show --role client --interface eth1 --port 80');
    expect(tune('server', 'apply').stdout.trim()).toBe(
      'cnisim harness tune --apply --role server --interface ens5 --port 80',
    );
    expect(tune('client', 'revert').stdout.trim()).toBe('cnisim harness tune --revert');
    // the old calling convention (an interface first) and a mistyped action are refused with the usage
    for (const bad of [['eth0'], [], ['server', 'aply']]) {
      const r = tune(...bad);
      expect(r.status, bad.join(' ')).toBe(2);
      expect(r.stderr).toContain('usage: tune.sh server|client [show|apply|revert]');
      expect(r.stdout).toBe('');
    }
  });

  it('warns that a pod option without a target would load the host address', () => {
    const { target: _, ...noTarget } = input;
    const p = buildPlan(noTarget);
    expect(p.warnings).toHaveLength(1);
    expect(p.warnings[0]).toMatch(
      /--option flannel-host-gw serves from a pod, but no --target was given: the load goes to the server host's address srv:80/,
    );
    expect(p.steps[0]!.argv.at(-1)).toBe('srv:80');
    // net-host serves on the host address, and a given target is taken as meant
    expect(defaultTargetWarnings('net-host', 'srv')).toEqual([]);
    expect(plan.warnings).toEqual([]);
    const cli = (...extra: string[]) =>
      cnisim(
        'harness',
        'plan',
        '--server',
        '10.0.0.2',
        '--client',
        '10.0.0.1',
        '--rates',
        '50k',
        '--repeat',
        '1',
        '--json',
        ...extra,
      );
    const pod = cli('--option', 'flannel-host-gw');
    expect(pod.code, pod.err).toBe(0);
    expect(pod.err).toMatch(/warning: --option flannel-host-gw serves from a pod.*10\.0\.0\.2:80/);
    expect(cli('--option', 'flannel-host-gw', '--target', '10.244.2.5:80').err).not.toMatch(/warning/);
    expect(cli('--option', 'net-host').err).not.toMatch(/warning/);
  });

  it('snap.sh runs here and its dump parses back into a snapshot', () => {
    const d = tmp();
    writeFileSync(join(d, 'snap.sh'), snapshotScript());
    const dump = execFileSync('sh', [join(d, 'snap.sh')], { encoding: 'utf8' });
    const s = snapshotFromDump(dump, () => false, 'snap');
    expect(s.stat?.length).toBeGreaterThan(0);
    expect(s.softirqs?.counts.NET_RX).toBeDefined();
    expect(s.t_ns).toBeGreaterThan(0);
    expect(() => snapshotFromDump(dump.slice(0, dump.length / 2), () => false, 'half')).toThrow(
      /half: cut off/,
    );
  });
});

describe('harness import', () => {
  /**
   * A collect directory as client.sh leaves it, with real dumps of this machine and a tcpkali
   * sample. `response_bytes` as meta.json says it: 350 for plan's /r350, null when unknown.
   */
  function collect(log: string, requested: number, response_bytes: number | null = null): string {
    const d = tmp();
    const script = join(d, 'snap.sh');
    writeFileSync(script, snapshotScript());
    const snap = () => execFileSync('sh', [script], { encoding: 'utf8' });
    writeFileSync(join(d, 'tcpkali-version.txt'), 'tcpkali version 1.1.1\n');
    const step = join(d, '0000-flannel-host-gw-43000rps-r0');
    mkdirSync(step);
    const meta = {
      ...buildPlan({ ...input, rates: [requested], repeat: 1 }).steps[0]!,
      response_bytes,
    };
    meta.request = 'GET /r350 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
    writeFileSync(join(step, 'meta.json'), JSON.stringify(meta));
    for (const f of ['client-before', 'server-before']) writeFileSync(join(step, `${f}.txt`), snap());
    writeFileSync(join(step, 'started_at'), '2026-11-26T10:00:00.000Z\n');
    writeFileSync(join(step, 'tcpkali.log'), log);
    writeFileSync(join(step, 'tcpkali.exit'), '0\n');
    writeFileSync(join(step, 'ended_at'), '2026-11-26T10:00:21.000Z\n');
    for (const f of ['client-after', 'server-after']) writeFileSync(join(step, `${f}.txt`), snap());
    return d;
  }
  const fx = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', 'tcpkali', name), 'utf8');
  const d3 = fx('d3-1.1-n2o.txt');
  // Constructed: 43000 requests/s of 39 bytes sent and 350-byte responses received for 20 s.
  const keptUp = fx('synthetic-1.1-kept-up.txt');

  it('turns a collected step that kept up into a valid target record', () => {
    const d = collect(keptUp, 43000, 350);
    const [dir] = listStepDirs(d);
    const r = parseRunRecord(importStep(dir!, 'imp'));
    expect(r.source).toBe('target');
    expect(r.valid, r.invalid_reason ?? '').toBe(true);
    expect(r.generator.name).toBe('tcpkali');
    expect(r.generator.version).toBe('1.1.1');
    expect(r.latency_resolution_ms).toBe(0.1);
    expect(r.latency_ms).toEqual({ p50: 0.2, p90: 0.3, p95: 0.4, p99: 0.9, p99_5: 1.2, p99_9: 2.5 });
    // sent 33540000 bytes of 39-byte requests ("GET /r350 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    expect(r.request_bytes).toBe(39);
    expect(r.requests_sent).toBe(33540000 / 39);
    expect(r.achieved_rps).toBe(301000000 / 350 / 20);
    expect(r.warnings).toEqual([]);
    expect(r.counters?.scope).toBe('per-host');
    expect(r.counters?.server?.softirqs?.length).toBeGreaterThan(0);
    expect(r.tuning?.server?.origin).toBe('read-back');
    expect(r.hosts.server.kernel).toMatch(/^\d+\./);
  });

  it('responses coming back at 6 % of the requested rate give an invalid record naming both rates', () => {
    // D3: tcpkali sent 44402 requests/s, the server answered 19263720 bytes in 20.0022 s.
    const r = parseRunRecord(importStep(listStepDirs(collect(d3, 43000, 350))[0]!, 'imp'));
    expect(r.achieved_rps).toBeCloseTo(19263720 / 350 / 20.0022, 6);
    expect(r.valid).toBe(false);
    expect(r.invalid_reason).toMatch(/responses came back at 2752 of 43000 requests\/s requested \(< 97 %/);
  });

  it('a damaged meta.json is invalid input naming the file, not an internal error', () => {
    const d = collect(keptUp, 43000, 350);
    const step = listStepDirs(d)[0]!;
    writeFileSync(join(step, 'meta.json'), '{"step_index":0,');
    const r = cnisim('harness', 'import', d, '--out', join(d, 'runs'));
    expect(r.code, r.err).toBe(3);
    expect(r.err).toContain(`${join(step, 'meta.json')}: not valid JSON`);
    writeFileSync(join(step, 'meta.json'), JSON.stringify({ step_index: 0 }));
    expect(() => importStep(step, 'imp')).toThrow(/meta\.json repeat: not a step's meta\.json/);
  });

  it('a cut-off tcpkali log gives an invalid record with the reason', () => {
    const d = collect(d3.slice(0, 400), 43000);
    const r = parseRunRecord(importStep(listStepDirs(d)[0]!, 'imp'));
    expect(r.valid).toBe(false);
    expect(r.invalid_reason).toMatch(/tcpkali summary: cut off/);
  });

  it('tcpkali sending less than requested gives an invalid record', () => {
    const d = collect(d3, 100000);
    const r = parseRunRecord(importStep(listStepDirs(d)[0]!, 'imp'));
    expect(r.valid).toBe(false);
    expect(r.invalid_reason).toMatch(/tcpkali offered 44402 of 100000/);
  });
});
