/**
 * nginx's writes per response (host.apps.nginx.response_writes): each write runs the TX stages'
 * per-packet costs and adds a segment, which the receiver (GRO off, as on the lab's veth) takes up
 * its stack on its own. Only that parameter changes between the runs compared: netns-lab with GRO off, net-host,
 * 1000 requests/s, 350 B responses, 3000 requests, seed 1. The mean service time of a stage is
 * exact (a sum, not a histogram bucket), so the differences are exact up to float rounding.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../../model/compile/compile.ts';
import { NetworkSim } from '../../../sim/net/network-sim.ts';

function run(writes: number) {
  const c = compile({
    host: 'netns-lab',
    option: 'net-host',
    workload: { rate_rps: 1000, response_bytes: 350 },
    set: [
      `host.apps.nginx.response_writes=${writes}`,
      'host.mechanisms.stalls=false',
      // A veth has no GRO: every segment goes up the receive stack.
      'host.mechanisms.gro=false',
    ],
  });
  const out = new NetworkSim(c, { requests: 3000, warmupFraction: 0.1, seed: 1, replication: 0 }).run();
  const mean = (name: string) => {
    const s = out.stages.find((x) => x.name === name);
    if (!s) throw new Error(`no stage ${name}`);
    return { packets: s.packets, mean_ns: s.service.mean };
  };
  return { c, out, mean };
}

describe('nginx response writes', () => {
  const one = run(1);
  const two = run(2);

  it('a second write adds one segment to every response', () => {
    expect(one.c.responseSegments).toBe(1);
    expect(two.c.responseSegments).toBe(2);
  });

  it('each write pays the TX stages per-packet cost once more (per-byte cost unchanged)', () => {
    for (const [i, stage] of ['server.tx.tcp_sendmsg', 'server.tx.ip_output_xmit'].entries()) {
      const perPacket = two.c.tx.costPerPacket_ns[i]!;
      expect(perPacket).toBeGreaterThan(0);
      // The server sends only responses (the client ACKs): every packet of the stage is one.
      expect(two.mean(stage).mean_ns - one.mean(stage).mean_ns).toBeCloseTo(perPacket, 6);
    }
  });

  it('the client receives each segment up its stack (GRO off): the RX per-packet cost twice', () => {
    expect(two.c.mech.gro).toBe(false);
    for (const [i, stage] of ['client.rx.nic_poll', 'client.rx.ip_tcp_rcv'].entries()) {
      const perPacket = two.c.rx.costPerPacket_ns[i]!;
      expect(two.mean(stage).mean_ns - one.mean(stage).mean_ns).toBeCloseTo(perPacket, 6);
    }
  });
});
