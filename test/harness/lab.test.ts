/**
 * The lab end to end against the real kernel: namespaces, nginx, the generator, counters, records.
 * Skips (with the reason printed) only where network namespaces cannot be created or nginx is
 * missing. Budget: about 45 s on the 2-core machines.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveCommand, tryRun } from '../../harness/exec.ts';
import { type LabRunOutput, runLab } from '../../harness/lab-run.ts';
import { generatorArgv, runJsonChild } from '../../harness/generator/spawn.ts';
import { type GeneratorAnswer, judgeStep } from '../../harness/lab-step.ts';
import {
  driverAvailable,
  labDown,
  labUp,
  listLabNamespaces,
  namespacesUsable,
  resolveOption,
} from '../../harness/lab/lab.ts';
import { nginxVersion, startNginx } from '../../harness/nginx/server.ts';
import { loadRunRecords } from '../../harness/run-record-io.ts';
import { summarizeRecord } from '../../harness/summary.ts';

const ns = namespacesUsable();
const skip = !ns.ok ? ns.reason : nginxVersion() === null ? 'nginx is not installed' : null;
if (skip) console.log(`test/harness/lab.test.ts skipped: ${skip}`);

const tag = `t${process.pid}`;
const prefix = `cns-${tag}-`;
const cpus = availableParallelism();

describe.skipIf(skip !== null)('namespace lab, end to end', () => {
  let dir = '';
  let out: LabRunOutput;
  const RATE = 1500;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cns-labtest-'));
    out = await runLab({
      options: ['net-host', 'flannel-host-gw', 'flannel-vxlan'],
      rates: [RATE],
      repeat: 1,
      duration_s: 3,
      warmup_s: 0.5,
      connections: 10,
      response: 'small',
      out: join(dir, 'run'),
      run_id: 'lab-test',
      tag,
      generator_cpus: '0',
      nginx_cpus: [cpus > 1 ? 1 : 0],
      log: () => {},
    });
    for (const r of out.records) {
      const s = summarizeRecord(r);
      console.log(
        `lab ${s.option}: achieved ${s.achieved_rps.toFixed(0)} rps, p50 ${s.p50_ms} ms, NET_RX/req ${s.net_rx_per_req?.toFixed(2)}, ` +
          `softnet pkts/req ${s.softnet_per_req?.toFixed(2)}, nginx CPU ${s.server_cpu_us_per_req?.toFixed(1)} us/req, ` +
          `generator CPU ${s.generator_cpu_us_per_req?.toFixed(1)} us/req, kept_up ${s.kept_up}`,
      );
    }
  }, 150_000);

  afterAll(() => {
    labDown(prefix);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes one schema-valid record per step, readable back from the directory', () => {
    expect(out.failed).toEqual([]);
    const records = loadRunRecords([join(dir, 'run')]);
    expect(records.map((r) => r.option)).toEqual(['net-host', 'flannel-host-gw', 'flannel-vxlan']);
    for (const r of records) {
      expect(r.valid, r.invalid_reason ?? '').toBe(true);
      expect(r.option_used).toBe(r.option);
      expect(r.response_bytes).toBe(350);
      expect(r.counters?.scope).toBe('machine');
      expect(r.latency_samples).toBe(RATE * 3);
      expect(r.tuning?.server?.origin).toBe('read-back');
    }
  });

  it("samples the generator's own task: its wake-ups and its CPU time inside the process's", () => {
    for (const r of out.records) {
      const m = r.counters!.machine!;
      const g = m.client_tasks?.[0];
      expect(g, r.option).toBeDefined();
      // Not nginx: the generator's process (pinned to CPU 0 by taskset).
      expect(m.server_tasks!.map((t) => t.pid)).not.toContain(g!.pid);
      expect(g!.cpus_allowed).toBe('0');
      // Its main thread is part of the process: its run time cannot exceed the process's CPU time
      // (getrusage over the same window, all threads; both edges of the parent's snapshots lag the
      // generator's own by the event line's delivery: a few ms of run time, bounded by 20 ms).
      const process_ns = (r.generator.cpu_user_s! + r.generator.cpu_system_s!) * 1e9;
      expect(g!.run_ns).toBeGreaterThan(0);
      expect(g!.run_ns).toBeLessThan(process_ns + 20e6);
      // The send loop sleeps between ticks at this rate, so each tick is a wake-up: timeslices
      // (wake-ups and preemptions) at least the ticks in the window, less the edges' 2 %.
      const ticks = r.generator.bursts!.ticks_per_s * m.interval_s;
      expect(g!.timeslices, r.option).toBeGreaterThan(0.98 * ticks);
    }
  });

  it('achieves the requested rate', () => {
    // Responses counted in a 3 s window differ from rate x 3 s only by those in flight at its
    // edges (rate x (latency + send lag)); send lag on this shared machine reached 100 ms
    // (lab-notes), i.e. 150 of 4500 responses: 10 % bounds it.
    for (const r of out.records) expect(Math.abs(r.achieved_rps - RATE) / RATE, r.option).toBeLessThan(0.1);
  });

  it('counts about 4 NET_RX softirqs per request (request, two response segments, the ACK)', () => {
    // Exact per request on a keep-alive connection (lab-notes); tcpdump on the wire shows which:
    // the request, nginx's headers and body as two segments, the client's ACK (docs/calibration.md,
    // "The lab's packets and its generator's event loop"). The counter is machine-wide, so
    // other traffic adds a little, and at higher rates raises can merge (fewer): 3.5..5.
    for (const r of out.records) {
      const s = summarizeRecord(r);
      expect(s.net_rx_per_req!, r.option).toBeGreaterThan(3.5);
      expect(s.net_rx_per_req!, r.option).toBeLessThan(5);
    }
  });

  it('vxlan costs more per request than net-host (packets through the backlog, exact)', () => {
    const by = Object.fromEntries(out.records.map((r) => [r.option, summarizeRecord(r)]));
    const host = by['net-host']!.softnet_per_req!;
    const hgw = by['flannel-host-gw']!.softnet_per_req!;
    const vxlan = by['flannel-vxlan']!.softnet_per_req!;
    // net-host: each of the 4 packets enters one backlog (the veth). The bridged options add
    // passes through the pod veths and forwarding; vxlan adds decapsulation on top of that.
    expect(host).toBeGreaterThan(3.5);
    expect(hgw).toBeGreaterThan(2 * host);
    expect(vxlan).toBeGreaterThan(hgw);
  });

  it('lab down left no namespace behind', () => {
    expect(listLabNamespaces(prefix)).toEqual([]);
  });
});

describe.skipIf(skip !== null)('lab cleanup', () => {
  it('removes what a crash left behind, with its processes, and is idempotent', () => {
    const name = `${prefix}host-hostA`;
    expect(tryRun(['ip', 'netns', 'add', name]).status).toBe(0);
    const child = spawn('ip', ['netns', 'exec', name, 'sleep', '60'], { stdio: 'ignore' });
    // wait until the sleep is inside the namespace
    for (let i = 0; i < 100 && tryRun(['ip', 'netns', 'pids', name]).stdout.trim() === ''; i++)
      tryRun(['sleep', '0.02']);
    expect(labDown(prefix)).toEqual([name]);
    expect(listLabNamespaces(prefix)).toEqual([]);
    expect(labDown(prefix)).toEqual([]);
    child.kill();
  });

  it('Ctrl-C during a run removes the labs (SIGINT handler)', async () => {
    const itag = `i${process.pid}`;
    // Interrupted once the step runs.
    const r = await interruptRun('net-host', itag, /harness: 0\/1/);
    expect(r.listedBefore).toBeGreaterThan(0);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/SIGINT: cleaning up the lab/);
    expect(listLabNamespaces(`cns-${itag}-`)).toEqual([]);
  }, 60_000);
});

describe.skipIf(skip !== null)('Ctrl-C while a lab is being built', () => {
  it('removes the half-built lab and its nginx (the handler knew only finished labs)', async () => {
    const itag = `b${process.pid}`;
    // The connectivity check is logged before nginx starts: the lab is still being built.
    const r = await interruptRun('flannel-host-gw', itag, /lab: flannel-host-gw up, client/);
    expect(r.stderr).toMatch(/lab: flannel-host-gw up, client/);
    expect(r.stderr).not.toMatch(/harness: 0\/1/);
    expect(r.code).toBe(130);
    expect(listLabNamespaces(`cns-${itag}-`)).toEqual([]);
    expect(tryRun(['pgrep', '-f', `cns-${itag}-`]).stdout.trim()).toBe('');
  }, 60_000);
});

/**
 * `harness run --lab` of one option at 500/s in a child process, sent SIGINT once its stderr matches
 * `when` (waiting at most 30 s): its exit code, its stderr, and how many namespaces of the lab were
 * there just before the signal.
 */
async function interruptRun(
  option: string,
  itag: string,
  when: RegExp,
): Promise<{ code: number | null; stderr: string; listedBefore: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'cns-sigint-'));
  const args = ['harness', 'run', '--lab', '--option', option, '--rates', '500', '--duration-s', '20'];
  const child = spawn(
    process.execPath,
    [
      join(import.meta.dirname, '../../bin/cnisim.mjs'),
      ...args,
      '--out',
      dir,
      '--tag',
      itag,
      '--nginx-cpus',
      String(cpus > 1 ? 1 : 0),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += String(d);
  });
  for (let i = 0; i < 300 && !when.test(stderr); i++) await new Promise((r) => setTimeout(r, 100));
  const listedBefore = listLabNamespaces(`cns-${itag}-`).length;
  const code = await new Promise<number | null>((resolve) => {
    child.on('close', (c) => resolve(c));
    child.kill('SIGINT');
  });
  rmSync(dir, { recursive: true, force: true });
  return { code, stderr, listedBefore };
}

describe.skipIf(skip !== null || !haveCommand('wrk'))('macvlan lab with a maximum-rate (wrk) step', () => {
  it('records the closed-loop maximum rate, labelled macvlan', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cns-wrktest-'));
    try {
      const out = await runLab({
        options: ['macvlan'],
        rates: [],
        max_rate: true,
        repeat: 1,
        duration_s: 2,
        warmup_s: 0,
        connections: 10,
        response: 'small',
        out: dir,
        run_id: 'wrk-test',
        tag,
        generator_cpus: '0',
        nginx_cpus: [cpus > 1 ? 1 : 0],
        log: () => {},
      });
      expect(out.failed).toEqual([]);
      const [r] = loadRunRecords([dir]);
      expect(r?.valid, r?.invalid_reason ?? '').toBe(true);
      expect(r?.generator.name).toBe('wrk');
      expect(r?.generator.loop).toBe('closed');
      expect(r?.requested_rps).toBeNull();
      expect(r?.driver).toBe('macvlan');
      expect(r?.option_used).toBe('macvlan');
      // any working path answers far more than 100 requests/s closed loop with 10 connections
      expect(r?.achieved_rps).toBeGreaterThan(100);
      console.log(`lab macvlan: wrk maximum ${r?.achieved_rps.toFixed(0)} requests/s`);
      expect(listLabNamespaces(prefix)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe.skipIf(skip !== null)('unreachable target', () => {
  it('the generator reports it and the step is invalid with the reason', async () => {
    const state = await labUp('net-host', { tag, nginx: false });
    try {
      // Cut the wire on the server side: the client's packets go nowhere.
      expect(tryRun(['ip', '-n', state.layout.hosts.b, 'link', 'set', 'cns-wire', 'down']).status).toBe(0);
      const cfg = {
        host: state.layout.server.ip,
        port: 80,
        connections: 2,
        rate_rps: 100,
        duration_s: 1,
        warmup_s: 0,
        request: 'GET /r350 HTTP/1.1\r\nHost: x\r\n\r\n',
        connect_timeout_ms: 1000,
      };
      const r = await runJsonChild<GeneratorAnswer>(
        generatorArgv('run', cfg, { netns: state.layout.client.netns }),
        30_000,
      );
      expect(r.value.ok).toBe(false);
      expect(judgeStep(r.value, 100, 350).invalid).toMatch(
        /^generator failed: cannot connect to 192\.168\.100\.2:80: (no answer within 1000 ms|EHOSTUNREACH|ETIMEDOUT)/,
      );
    } finally {
      labDown(state.layout.prefix);
    }
  }, 60_000);
});

describe.skipIf(skip !== null)('nginx that will not start', () => {
  it('is a clear error naming the cause, and leaves no nginx running', async () => {
    const name = `${prefix}ng-hostA`;
    const dir = mkdtempSync(join(tmpdir(), 'cns-nginx-'));
    expect(tryRun(['ip', 'netns', 'add', name]).status).toBe(0);
    tryRun(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
    // Something else holds port 80 (a listener this test starts inside its own namespace).
    const holder = spawn(
      'ip',
      [
        'netns',
        'exec',
        name,
        process.execPath,
        '-e',
        "require('net').createServer().listen(80, '127.0.0.1'); setTimeout(() => {}, 60000)",
      ],
      { stdio: 'ignore' },
    );
    try {
      for (
        let i = 0;
        i < 200 && !/:80\b/.test(tryRun(['ip', 'netns', 'exec', name, 'ss', '-ltn']).stdout);
        i++
      )
        tryRun(['sleep', '0.02']);
      await expect(
        startNginx({
          dir,
          netns: name,
          ip: '127.0.0.1',
          worker_cpus: [0],
          probe: () => Promise.reject(new Error('unused')),
        }),
      ).rejects.toThrow(
        /nginx will not start: .*bind\(\) to 127\.0\.0\.1:80 failed .*Address already in use/,
      );
      // only the holder is left in the namespace: no nginx
      const pids = tryRun(['ip', 'netns', 'pids', name]).stdout.trim().split('\n').filter(Boolean);
      for (const pid of pids) expect(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).not.toBe('nginx');
    } finally {
      labDown(prefix);
      holder.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(skip !== null)('pod drivers', () => {
  it('ipvlan is detected, never silently replaced; --substitute builds macvlan and says so', () => {
    const d = driverAvailable('ipvlan');
    if (d.available) {
      expect(resolveOption('ipvlan', false).used).toBe('ipvlan');
    } else {
      expect(d.reason).toMatch(/ipvlan/);
      expect(() => resolveOption('ipvlan', false)).toThrow(
        /ipvlan driver is not available.*--option macvlan/,
      );
      const s = resolveOption('ipvlan', true);
      expect(s.used).toBe('macvlan');
      expect(s.substitution).toMatch(/built macvlan/);
    }
  });
});
