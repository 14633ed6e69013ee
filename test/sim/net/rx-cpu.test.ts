/**
 * host.nic.rx_cpu: where a received packet's first softirq pass runs. On the namespace lab (2 CPUs
 * shared by both "hosts", tcpkali on CPU 0, nginx on CPU 1, irq_cpus "0") with `sender` (the veth
 * default of netns-lab.yaml) the receive runs on the CPU that sent the packet: the client receives
 * the responses nginx sent on CPU 1, the server the requests tcpkali sent on CPU 0. With `irq` every
 * receive runs on the queue's IRQ CPU 0, and CPU 1 has no softirq work at all.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../../model/compile/compile.ts';
import { K_ACK, K_REQ, K_RESP } from '../../../sim/net/codes.ts';
import { CLIENT, NetworkSim, SERVER } from '../../../sim/net/network-sim.ts';

function runLab(set: string[]) {
  const c = compile({
    option: 'net-host',
    host: 'netns-lab',
    workload: { rate_rps: 5000, response_bytes: 350 },
    set,
  });
  const out = new NetworkSim(c, { requests: 5000, warmupFraction: 0.1, seed: 3, replication: 0 }).run();
  const n = c.cpuCount;
  /** Packets of `kind` received by `host` whose receive poll ran on each CPU. */
  const polled = (kind: number, host: number) =>
    Array.from({ length: n }, (_, cpu) => out.rxPollCpu[(kind * 2 + host) * n + cpu]!);
  const softirq = Array.from({ length: n }, (_, cpu) => out.busy_ns[cpu * 3 + 1]!);
  const hardirq = Array.from({ length: n }, (_, cpu) => out.busy_ns[cpu * 3 + 0]!);
  return { c, out, polled, softirq, hardirq };
}

describe('receive CPU (host.nic.rx_cpu)', () => {
  it('netns-lab defaults to sender; other hosts to irq', () => {
    expect(runLab([]).c.rxOnSenderCpu).toBe(true);
    expect(
      compile({ option: 'net-host', workload: { rate_rps: 1000, response_bytes: 350 } }).rxOnSenderCpu,
    ).toBe(false);
  });

  it('sender: the client receives on nginx CPU 1, the server on the generator CPU 0, no hardirq', () => {
    const r = runLab([]);
    const resp = r.polled(K_RESP, CLIENT);
    const req = r.polled(K_REQ, SERVER);
    expect(r.out.completedMeasured).toBeGreaterThan(4000);
    expect(resp[1]).toBeGreaterThan(4000);
    expect(resp[0]).toBe(0);
    expect(req[0]).toBeGreaterThan(4000);
    expect(req[1]).toBe(0);
    // The client's ACKs leave from the CPU that received the response (CPU 1), so they land there.
    const ack = r.polled(K_ACK, SERVER);
    expect(ack[1]).toBeGreaterThan(0);
    expect(ack[0]).toBe(0);
    expect(r.softirq[0]).toBeGreaterThan(0);
    expect(r.softirq[1]).toBeGreaterThan(0);
    expect(r.hardirq.every((x) => x === 0)).toBe(true);
  });

  it('ACKs sent at the read (ack_at_read_segments 2, two-segment responses) leave from the reader, CPU 0', () => {
    const r = runLab(['host.tcp.ack_at_read_segments=2', 'host.apps.nginx.response_writes=2']);
    const ack = r.polled(K_ACK, SERVER);
    // One ACK per response read (not batched by the delayed-ACK timer), all received on CPU 0.
    expect(ack[0]).toBeGreaterThan(4000);
    expect(ack[1]).toBe(0);
    // One-segment responses are still ACKed by the timer, from the receiving CPU.
    expect(runLab(['host.tcp.ack_at_read_segments=2']).polled(K_ACK, SERVER)[0]).toBe(0);
  });

  it('irq: every receive runs on the IRQ CPU 0 and CPU 1 does no softirq work', () => {
    const r = runLab(['host.nic.rx_cpu=irq']);
    expect(r.c.rxOnSenderCpu).toBe(false);
    for (const [kind, host] of [
      [K_RESP, CLIENT],
      [K_REQ, SERVER],
      [K_ACK, SERVER],
    ] as const) {
      const p = r.polled(kind, host);
      expect(p[0]).toBeGreaterThan(0);
      expect(p[1]).toBe(0);
    }
    expect(r.softirq[0]).toBeGreaterThan(0);
    expect(r.softirq[1]).toBe(0);
  });
});
