/**
 * A stage's loss_probability (model/schema/option.ts) loses packets at that stage, TCP resends
 * them after the RTO, and the retransmission tail appears at 200 ms (rto_min), 600 ms for a second
 * loss, as in the seed study's vxlan tails.
 *
 * Tolerances: the losses at one stage are Binomial(n, p); with p = 0.01 and n about 18,000 the
 * count's sd is sqrt(n p (1-p)) ~ 13 around a mean of ~180, so 4 sd is about 30 %. Each request
 * crosses the stage twice with data (the request at the server, the response at the client; the
 * server's ACKs are lost harmlessly), so about 2p = 2 % of requests wait for an RTO: the 99th
 * percentile lies in the tail and the 96th (4p away) does not.
 */
import { describe, expect, it } from 'vitest';
import { runSmall } from './helpers.ts';

describe('stage loss_probability', () => {
  const p = 0.01;
  const lossy = runSmall('flannel-vxlan', {
    rate: 100000,
    requests: 20000,
    set: [`option.stages.udp_vxlan_rcv.loss_probability=${p}`],
  });

  it('loses packets at that stage at its probability', () => {
    const stage = lossy.out.stages.find((s) => s.name === 'client.rx.udp_vxlan_rcv')!;
    const lost = lossy.out.drops['client.stage_loss.udp_vxlan_rcv'] ?? 0;
    expect(stage.packets).toBeGreaterThan(15000);
    expect(lost / stage.packets).toBeGreaterThan(p * 0.7);
    expect(lost / stage.packets).toBeLessThan(p * 1.3);
    expect(lossy.out.retransmits).toBeGreaterThan(0);
  });

  it('puts the lost requests into the RTO tail (>= 200 ms) and leaves the rest alone', () => {
    expect(lossy.q(0.99)).toBeGreaterThanOrEqual(200);
    expect(lossy.q(0.96)).toBeLessThan(50);
  });

  it('loses nothing by default', () => {
    const clean = runSmall('flannel-vxlan', { rate: 100000, requests: 5000 });
    expect(Object.keys(clean.out.drops).filter((k) => k.includes('stage_loss'))).toEqual([]);
    expect(clean.out.retransmits).toBe(0);
  });
});
