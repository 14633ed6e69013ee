import { describe, expect, it } from 'vitest';
import { inertSetWarnings } from '../../model/compile/inert-sets.ts';
import { normalize } from '../../model/compile/normalize.ts';
import { simulate } from '../../sim/simulate.ts';

const base = { option: 'net-host', workload: { rate_rps: 150000, response_bytes: 350 } };

describe('inertSetWarnings', () => {
  it('warns about rx_usecs unless moderation is fixed, and about rps_cpus while RFS steers', () => {
    const s = normalize({ ...base, set: ['host.nic.rx_usecs=5', 'host.rps_cpus=0-17'] });
    expect(s.host.nic.coalescing).toBe('adaptive');
    const w = inertSetWarnings(s, ['host.nic.rx_usecs=5', 'host.rps_cpus=0-17']);
    expect(w).toHaveLength(2);
    expect(w[0]).toMatch(/^--set host.nic.rx_usecs=5 changes nothing: .*coalescing is adaptive/);
    expect(w[1]).toMatch(/^--set host.rps_cpus=0-17 changes nothing: RFS steers every flow/);
    const sets = [
      'host.nic.coalescing=fixed',
      'host.nic.rx_usecs=5',
      'host.mechanisms.rfs=false',
      'host.rps_cpus=0-17',
    ];
    expect(inertSetWarnings(normalize({ ...base, set: sets }), sets)).toEqual([]);
  });

  it('warns about moderation settings on a veth receive (no interrupt) and about epoll_max_events', () => {
    const sets = ['host.nic.coalescing=off', 'host.apps.nginx.epoll_max_events=8'];
    const s = normalize({ ...base, host: 'netns-lab', set: sets });
    const w = inertSetWarnings(s, sets);
    expect(w[0]).toMatch(/coalescing=off changes nothing: the receive runs on the sending CPU/);
    expect(w[1]).toMatch(/epoll_max_events=8 changes nothing: the model does not use it/);
  });

  it('warns about the send timer’s slack without an after-burst timer, and about wire fields the wire lacks', () => {
    const sets = [
      'host.apps.tcpkali.send_timer.slack_ns=500',
      'wire.jitter_cv=2',
      'wire.frame_overhead_bytes=30',
    ];
    const lab = normalize({ ...base, host: 'netns-lab', set: sets });
    const w = inertSetWarnings(lab, sets);
    expect(lab.host.apps.tcpkali.send_timer.mode).toBe('after_burst');
    // The lab's generator does run an after-burst timer: its slack matters there; the lab's veth has
    // no jitter and no line rate.
    expect(w).toHaveLength(2);
    expect(w[0]).toMatch(/jitter_cv=2 changes nothing: there is no jitter/);
    expect(w[1]).toMatch(/frame_overhead_bytes=30 changes nothing: the wire has no serialization/);
    const c4 = normalize({ ...base, set: sets });
    expect(inertSetWarnings(c4, sets)).toEqual([
      expect.stringMatching(/slack_ns=500 changes nothing: the slack applies only to the after_burst timer/),
    ]);
  });
});

describe('the inert overrides do change nothing, and their suggested companions do', () => {
  const point = (set: string[]) =>
    simulate({
      option: 'net-host',
      rate_rps: 150_000,
      response_bytes: 350,
      requests: 20_000,
      replications: 1,
      workers: 0,
      set,
    });

  it('rps_cpus under RFS, rx_usecs under adaptive moderation: the same result as without them', async () => {
    const plain = await point([]);
    const inert = await point(['host.rps_cpus=0', 'host.nic.rx_usecs=500']);
    expect(inert.latency_ms).toEqual(plain.latency_ms);
    expect(inert.cpu).toEqual(plain.cpu);
    expect(inert.warnings?.filter((w) => w.includes('changes nothing'))).toHaveLength(2);
    // All receive processing steered to CPU 0 (RFS off) loads CPU 0 of the server with softirq.
    const steered = await point(['host.mechanisms.rfs=false', 'host.rps_cpus=0']);
    const cpu0 = (r: typeof plain) => r.cpu.find((c) => c.host === 'server' && c.cpu === 0)!.softirq;
    expect(cpu0(steered)).toBeGreaterThan(2 * cpu0(plain));
    expect(steered.warnings?.some((w) => w.includes('changes nothing'))).toBe(false);
  });

  it('a switched-off mechanism’s parameters: warned, and the result is the same as without them', async () => {
    const off = [
      'host.mechanisms.stalls=false',
      'host.mechanisms.napi_budget=false',
      'host.mechanisms.ring_limit=false',
      'host.mechanisms.backlog_limit=false',
      'host.mechanisms.smt=false',
      'host.mechanisms.xps=false',
      'host.mechanisms.delayed_ack=false',
      'host.mechanisms.idle_wakeup=false',
    ];
    const params = [
      'host.stalls.rate_per_cpu_per_s=500',
      'host.stalls.duration_mean_ns=900000',
      'host.napi.weight=2',
      'host.napi.netdev_budget=3',
      'host.nic.ring_size=4',
      'host.backlog.netdev_max_backlog=5',
      'host.cpus.smt_slowdown=3',
      'host.cpus.smt_sibling_offset=9',
      'host.xps_cpus=["9-17","0-8"]',
      'host.tcp.delack_ns=1',
      'host.cpu_wakeup.wakeup_ns=1',
      'host.cpu_wakeup.idle_threshold_ns=1',
      // Not modelled at all (checked only):
      'host.rfs.flow_cnt=1',
      'host.cpus.numa_nodes=["0-35"]',
    ];
    const plain = await point(off);
    const inert = await point([...off, ...params]);
    const { wall_s: _a, warnings: wa, ...a } = plain;
    const { wall_s: _b, warnings: wb, ...b } = inert;
    expect(b).toEqual(a);
    expect(wb?.filter((w) => w.includes('changes nothing'))).toHaveLength(params.length);
    expect(wa?.some((w) => w.includes('changes nothing'))).toBe(false);
    // With the mechanisms on, the same values act (a 4-slot ring drops at 150k).
    const on = await point(['host.nic.ring_size=4']);
    expect(Object.values(on.drops).reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
    expect(on.warnings?.some((w) => w.includes('changes nothing'))).toBe(false);
  });
});

describe('inertSetWarnings: switches', () => {
  it('names the switch that is off (moderation, RPS under RFS), not a value already set', () => {
    const set = ['host.mechanisms.coalescing=false', 'host.nic.coalescing=fixed', 'host.nic.rx_usecs=100'];
    const w = inertSetWarnings(normalize({ ...base, set }), set);
    expect(w).toHaveLength(2);
    for (const x of w)
      expect(x).toMatch(/moderation is switched off.*add --set host\.mechanisms\.coalescing=true$/);
    const rfs = ['host.mechanisms.rps=false', 'host.mechanisms.rfs=true'];
    expect(inertSetWarnings(normalize({ ...base, set: rfs }), rfs)[0]).toMatch(
      /mechanisms.rfs=true changes nothing: RFS steers through RPS, which is off/,
    );
  });
});
