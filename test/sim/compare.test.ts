import { describe, expect, it } from 'vitest';
import { cpuPerRequest_us, pairedDifference, stageDifference } from '../../sim/compare.ts';
import { PERCENTILE_KEYS, type Percentiles, type SimResult } from '../../sim/result.ts';
import { simulate } from '../../sim/simulate.ts';

/** A result whose every percentile is `v` (merged) and `reps[i]` in replication i. */
function fake(option: string, v: number, reps: number[]): SimResult {
  const all = (x: number) => Object.fromEntries(PERCENTILE_KEYS.map((k) => [k, x])) as Percentiles;
  return {
    option,
    seed: 1,
    replications: reps.length,
    latency_ms: all(v),
    latency_by_replication_ms: reps.map(all),
    achieved_rps: 1000,
    cpu: [],
  } as unknown as SimResult;
}

describe('pairedDifference', () => {
  it('is the merged difference with a Student-t interval of the per-replication differences', () => {
    // Differences per replication 0.5, 0.7, 0.4: mean 0.5333, sd 0.15275, t(0.975, 2 dof) = 4.3027,
    // half-width 4.3027 x 0.15275 / sqrt(3) = 0.3795 -> [0.1539, 0.9128]; merged 2.6 - 2.0 = 0.6 lies inside.
    const d = pairedDifference(fake('a', 2, [1, 2, 3]), fake('b', 2.6, [1.5, 2.7, 3.4]))!;
    expect(d.latency_diff_ms.p99).toBeCloseTo(0.6, 10);
    expect(d.latency_diff_ci95_ms.p99[0]).toBeCloseTo(0.1539, 3);
    expect(d.latency_diff_ci95_ms.p99[1]).toBeCloseTo(0.9128, 3);
    expect(d.latency_ratio.p50).toBeCloseTo(1.3, 10);
    expect(d.differs.p50).toBe(true);
  });

  it('widens the interval to the merged difference and says when it includes 0', () => {
    // Per-replication differences -0.1, +0.1 (mean 0) while the merged difference is +0.05.
    const d = pairedDifference(fake('a', 1, [1, 1]), fake('b', 1.05, [0.9, 1.1]))!;
    expect(d.latency_diff_ci95_ms.p50[0]).toBeLessThan(0);
    expect(d.latency_diff_ci95_ms.p50[1]).toBeGreaterThanOrEqual(0.05);
    expect(d.differs.p50).toBe(false);
  });

  it('refuses unpaired runs and gives null without per-replication percentiles', () => {
    const other = { ...fake('b', 1, [1, 1]), seed: 2 };
    expect(() => pairedDifference(fake('a', 1, [1, 1]), other)).toThrow(/same seed and replications/);
    const sat = { ...fake('b', 1, [1, 1]), latency_ms: null, latency_by_replication_ms: null } as SimResult;
    expect(pairedDifference(fake('a', 1, [1, 1]), sat)).toBeNull();
  });

  it('gives exactly 0 for two runs of the same point: the same seed replays the same streams', async () => {
    const req = {
      option: 'flannel-vxlan',
      rate_rps: 100_000,
      response_bytes: 350,
      requests: 20_000,
      replications: 2,
      workers: 0,
      replication_percentiles: true,
    };
    const a = await simulate(req);
    const b = await simulate(req);
    expect(a.latency_by_replication_ms).toHaveLength(2);
    const d = pairedDifference(a, b)!;
    for (const k of PERCENTILE_KEYS) {
      expect(d.latency_diff_ms[k]).toBe(0);
      expect(d.latency_diff_ci95_ms[k]).toEqual([0, 0]);
    }
  });
});

describe('cpuPerRequest_us', () => {
  it('sums each host’s busy fractions and divides by the achieved rate', () => {
    const r = {
      achieved_rps: 100_000,
      cpu: [
        { host: 'server', cpu: 0, hardirq: 0.1, softirq: 0.5, task: 0.2 },
        { host: 'server', cpu: 1, hardirq: 0, softirq: 0.2, task: 0 },
        { host: 'client', cpu: 0, hardirq: 0, softirq: 0.1, task: 0.4 },
      ],
    } as unknown as SimResult;
    // server: 1.0 CPU-second per second / 1e5 requests per second = 10 us; client 0.5 / 1e5 = 5 us.
    expect(cpuPerRequest_us(r)).toEqual({ server: 10, client: 5 });
  });
});

describe('stageDifference', () => {
  const stage = (name: string, packets: number, wait: number, service: number) => ({
    stage: name,
    cls: 'softirq',
    packets,
    wait_mean_us: wait,
    service_mean_us: service,
    wait_p99_us: 0,
    service_p99_us: 0,
  });
  // 1000 requests each. a: 2000 packets at server.rx.nic_poll (wait 1, service 2 us) -> 6 us per
  // request; 1000 at server.rx.ip_rcv (0.5, 1.5) -> 2. b: nic_poll 2000 x (1, 2) -> 6; 1000 at
  // server.rx.udp_vxlan_rcv (3, 4) -> 7; 1000 at server.rx.ip_rcv (1.5, 1.5) -> 3; 1000 at client.tx.x (0, 1) -> 1.
  const a = {
    requests: 1000,
    stages: [stage('server.rx.nic_poll', 2000, 1, 2), stage('server.rx.ip_rcv', 1000, 0.5, 1.5)],
  } as unknown as SimResult;
  const b = {
    requests: 1000,
    stages: [
      stage('server.rx.nic_poll', 2000, 1, 2),
      stage('server.rx.udp_vxlan_rcv', 1000, 3, 4),
      stage('server.rx.ip_rcv', 1000, 1.5, 1.5),
      stage('client.tx.x', 1000, 0, 1),
    ],
  } as unknown as SimResult;

  it('sets each stage per request side by side, 0 where a point lacks it, the baseline order first', () => {
    expect(stageDifference(a, b)).toEqual([
      {
        stage: 'server.rx.nic_poll',
        baseline_us: 6,
        other_us: 6,
        diff_us: 0,
        diff_wait_us: 0,
        diff_service_us: 0,
      },
      {
        stage: 'server.rx.ip_rcv',
        baseline_us: 2,
        other_us: 3,
        diff_us: 1,
        diff_wait_us: 1,
        diff_service_us: 0,
      },
      {
        stage: 'server.rx.udp_vxlan_rcv',
        baseline_us: 0,
        other_us: 7,
        diff_us: 7,
        diff_wait_us: 3,
        diff_service_us: 4,
      },
      { stage: 'client.tx.x', baseline_us: 0, other_us: 1, diff_us: 1, diff_wait_us: 0, diff_service_us: 1 },
    ]);
  });

  it('sums by part of the path, whatever the options call their stages', () => {
    expect(stageDifference(a, b, 'group')).toEqual([
      { stage: 'server.rx', baseline_us: 8, other_us: 16, diff_us: 8, diff_wait_us: 4, diff_service_us: 4 },
      { stage: 'client.tx', baseline_us: 0, other_us: 1, diff_us: 1, diff_wait_us: 0, diff_service_us: 1 },
    ]);
  });
});
