import { runSmall } from './test/sim/net/helpers.ts';
for (const seed of [2, 3, 4]) {
  const p = ['net-host', 'ipvlan', 'flannel-host-gw', 'flannel-aws-vpc', 'flannel-vxlan'].map((o) => runSmall(o, { connections: 60000, requests: 40000, seed }).q(0.99).toFixed(4));
  console.log(seed, p.join(' '));
}
