/**
 * Acceptance of issue 3 with the default (uncalibrated) costs on the c4.8xlarge profile.
 * Orderings use common random numbers (the same seed for every option), so the comparison is
 * between the options' paths, not between random streams.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../../sim/simulate.ts';
import { runSmall } from './helpers.ts';

describe('150k RPS, 350 B', () => {
  it('orders p99: net-host < ipvlan < flannel-host-gw ~ flannel-aws-vpc < flannel-vxlan', () => {
    const p99 = Object.fromEntries(
      ['net-host', 'ipvlan', 'flannel-host-gw', 'flannel-aws-vpc', 'flannel-vxlan'].map((o) => [
        o,
        runSmall(o, { connections: 60000, requests: 40000 }).q(0.99),
      ]),
    ) as Record<string, number>;
    expect(p99['net-host']!).toBeLessThan(p99.ipvlan!);
    expect(p99.ipvlan!).toBeLessThan(p99['flannel-host-gw']!);
    expect(Math.abs(p99['flannel-host-gw']! - p99['flannel-aws-vpc']!)).toBeLessThanOrEqual(
      0.05 * p99['flannel-host-gw']!,
    );
    expect(p99['flannel-aws-vpc']!).toBeLessThan(p99['flannel-vxlan']!);
  });
});

describe('rising rate', () => {
  it('saturates flannel-vxlan first; net-host and ipvlan still carry 450k RPS', async () => {
    const at = (option: string) =>
      simulate({
        option,
        rate_rps: 450000,
        response_bytes: 350,
        requests: 60000,
        replications: 1,
        workers: 0,
      });
    const vxlan = await at('flannel-vxlan');
    expect(vxlan.saturated).toBe(true);
    expect(vxlan.latency_ms).toBeNull();
    expect(vxlan.bottleneck).toMatch(/^server cpu \d+ softirq$/);
    for (const option of ['net-host', 'ipvlan']) {
      const r = await at(option);
      expect(r.saturated).toBe(false);
      expect(r.latency_ms!.p99).toBeLessThan(2);
    }
  });
});

describe('a rate no generator offers', () => {
  it('is saturated at the client, not a point with a few measured requests (1e7 requests/s)', async () => {
    const r = await simulate({
      option: 'net-host',
      rate_rps: 1e7,
      response_bytes: 350,
      requests: 2000,
      replications: 1,
      workers: 0,
    });
    // The schedule puts 1800 requests in the 180 us window; the client's CPU writes a handful.
    expect(r.saturated).toBe(true);
    // Every CPU of both hosts is full in the 180 us window: both named, the client among them.
    expect(r.bottleneck).toMatch(/client cpu \d+/);
    expect(r.latency_ms).toBeNull();
  });
});

describe('4 KB responses', () => {
  // Line limit: (4096 B + 3 frames x (52 B TCP/IP + 38 B Ethernet framing)) x 8 bit / 10 Gbit/s
  // = 3492.8 ns per response -> 286.3k RPS, the study's "about 270k RPS fully load the NIC".
  it('reach the 10 Gbit/s line near 286k RPS', async () => {
    const over = await simulate({
      option: 'net-host',
      rate_rps: 300000,
      response_bytes: 4096,
      requests: 40000,
      replications: 1,
      workers: 0,
    });
    expect(over.saturated).toBe(true);
    expect(over.bottleneck).toBe('wire 10 Gbit/s server->client');
    expect(over.achieved_rps).toBeGreaterThan(286300 * 0.95);
    expect(over.achieved_rps).toBeLessThan(286300 * 1.02);
    const under = await simulate({
      option: 'net-host',
      rate_rps: 250000,
      response_bytes: 4096,
      requests: 40000,
      replications: 1,
      workers: 0,
    });
    expect(under.saturated).toBe(false);
  });

  // The same line: 290k RPS offers 290000 x 3492.8 ns = 1.013 of it, an overload of 1.3 % that
  // carries 98.7 % and grows its backlog by 1.3 % of the requests sent, so neither the 97 % nor the
  // 2 % test sees it, whatever the run length; the wire is busy the whole window. At 280k (0.978 of
  // the line) it is busy 97.8 % of the time: below the 99 % rule, a stable queue.
  it('calls an overload of 1.3 % saturated at every run length (a resource busy >= 99 % of the window)', async () => {
    const at = (rate_rps: number, requests: number) =>
      simulate({ option: 'net-host', rate_rps, response_bytes: 4096, requests, replications: 1, workers: 0 });
    for (const requests of [20000, 80000]) {
      const over = await at(290000, requests);
      expect(over.saturated, `${requests} requests`).toBe(true);
      expect(over.bottleneck).toBe('wire 10 Gbit/s server->client');
      expect(over.latency_ms).toBeNull();
    }
    const near = await at(280000, 40000);
    expect(near.saturated).toBe(false);
  });
});
