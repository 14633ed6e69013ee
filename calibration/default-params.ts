/**
 * The default free parameters, for the model's built-in options (model/options/*.yaml) on a host
 * profile like model/hosts/c4.8xlarge.yaml. Paths are `--set` paths (docs/model.md). Bounds are wide
 * (a factor of 10-40 around the profile's default) and searched in log space; the starting values
 * are the profile's defaults, so a fit that cannot improve leaves them where they were.
 *
 * Host parameters (shared by all options) are fitted on net-host's records; each option's own
 * parameter on that option's records. `--params <file.json>` replaces this list.
 */
import type { ParamSpec } from './params.ts';

const STAGE_OPTIONS: Record<string, string[]> = {
  ipvlan_handler: ['ipvlan'],
  ip_forward_bridge: ['flannel-host-gw', 'flannel-aws-vpc'],
  vxlan_gro_cells_forward: ['flannel-vxlan'],
};

/** The per-packet cost of an option's distinctive pass, searched over 300 ns .. 60 us from 3 us. */
export function passCostParam(stage: string, options: string[], doc: string): ParamSpec {
  return {
    path: `option.stages.${stage}.cost_ns_per_packet`,
    lower: 300,
    upper: 60_000,
    init: 3_000,
    log: true,
    group: 'base',
    scope: 'option',
    options,
    doc,
  };
}

export const DEFAULT_PARAMS: readonly ParamSpec[] = [
  {
    path: 'wire.propagation_ns',
    lower: 10_000,
    upper: 400_000,
    init: 100_000,
    log: true,
    group: 'base',
    scope: 'host',
    doc: 'one-way propagation and switching: the base latency every request pays twice',
  },
  {
    path: 'wire.jitter_mean_ns',
    lower: 1_000,
    upper: 300_000,
    init: 30_000,
    log: true,
    group: 'tail',
    scope: 'host',
    doc: 'mean extra per-frame delay on the wire: the spread of the body of the distribution',
  },
  {
    path: 'host.stalls.rate_per_cpu_per_s',
    lower: 1e-4,
    upper: 2,
    init: 0.02,
    log: true,
    group: 'tail',
    scope: 'host',
    needs_quantile: 0.9999,
    doc: 'host stalls per CPU per second (hypervisor preemption, long kernel sections): how often the multi-ms tail happens',
  },
  {
    path: 'host.stalls.duration_mean_ns',
    lower: 200_000,
    upper: 20_000_000,
    init: 4_000_000,
    log: true,
    group: 'tail',
    scope: 'host',
    needs_quantile: 0.9999,
    doc: 'mean stall length: how long the multi-ms tail is',
  },
  {
    path: 'option.stages.ipvlan_handler.cost_ns_per_packet',
    lower: 50,
    upper: 60_000,
    init: 500,
    log: true,
    group: 'base',
    scope: 'option',
    options: ['ipvlan'],
    doc: "ipvlan's receive hand-off",
  },
  passCostParam(
    'ip_forward_bridge',
    ['flannel-host-gw', 'flannel-aws-vpc'],
    'the bridge options’ forward + bridge + veth pass (fitted per option)',
  ),
  passCostParam('vxlan_gro_cells_forward', ['flannel-vxlan'], "vxlan's gro_cells pass (decap side)"),
  ...(['ipvlan_handler', 'ip_forward_bridge', 'vxlan_gro_cells_forward'] as const).map(
    (stage): ParamSpec => ({
      path: `option.stages.${stage}.cost_ns_per_byte`,
      lower: 0.01,
      upper: 20,
      init: 2,
      log: true,
      group: 'base',
      scope: 'option',
      options: STAGE_OPTIONS[stage],
      // Start at 2 ns/B, not near 0: in log space the loss is flat below ~0.5 ns/B (a few hundred ns
      // per 4-KB response), and a simplex started there drifts on common-random-number steps
      // instead of finding the 4-KB tables' slope (measured: vxlan loss 39 from 0.2, 0.33 from 2).
      doc: 'per-byte cost of the same pass: separates the 4-KB responses from the 350-B ones',
    }),
  ),
];
