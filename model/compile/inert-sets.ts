/**
 * `--set` overrides that cannot change the result under the rest of the scenario, with why: a
 * what-if that silently changes nothing misleads (setting rx_usecs while moderation is adaptive,
 * rps_cpus while RFS steers every flow). Pure: the final scenario and the user's `path=value` list in,
 * one warning per inert override out (none when the override matters).
 */
import type { Scenario } from '../schema/scenario.ts';
import { splitSet } from './set.ts';

interface Rule {
  /** The override's path, or with `prefix` the start of the paths it covers. */
  path: string;
  prefix?: boolean;
  /** Why it is inert in this scenario, or null when it matters. */
  inert(s: Scenario): string | null;
}

const noInterrupt = (s: Scenario) =>
  s.host.nic.rx_cpu === 'sender'
    ? 'the receive runs on the sending CPU with no interrupt (host.nic.rx_cpu=sender, a veth pair)'
    : null;

/** Interrupt moderation switched off as a mechanism (one interrupt per arrival, whatever the mode). */
const moderationOff = (s: Scenario) =>
  s.host.mechanisms.coalescing
    ? null
    : 'interrupt moderation is switched off (host.mechanisms.coalescing=false): add --set host.mechanisms.coalescing=true';

/** Parameters of a mechanism that is switched off (model/compile/assemble.ts reads them only when on). */
const switchedOff = (m: keyof Scenario['host']['mechanisms'], what: string) => (s: Scenario) =>
  s.host.mechanisms[m] ? null : `${what} is off (host.mechanisms.${m}=false)`;

const RULES: Rule[] = [
  { path: 'host.stalls.', prefix: true, inert: switchedOff('stalls', 'the stall process') },
  { path: 'host.napi.', prefix: true, inert: switchedOff('napi_budget', 'the NAPI budget') },
  { path: 'host.nic.ring_size', inert: switchedOff('ring_limit', 'the RX ring limit') },
  { path: 'host.backlog.netdev_max_backlog', inert: switchedOff('backlog_limit', 'the backlog limit') },
  { path: 'host.cpus.smt_slowdown', inert: switchedOff('smt', 'hyperthread sharing') },
  { path: 'host.cpus.smt_sibling_offset', inert: switchedOff('smt', 'hyperthread sharing') },
  { path: 'host.xps_cpus', prefix: true, inert: switchedOff('xps', 'XPS') },
  { path: 'host.tcp.delack_ns', inert: switchedOff('delayed_ack', 'the delayed ACK') },
  { path: 'host.cpu_wakeup.', prefix: true, inert: switchedOff('idle_wakeup', 'the idle wake-up') },
  {
    path: 'host.mechanisms.rfs',
    inert: (s) =>
      s.host.mechanisms.rps
        ? null
        : 'RFS steers through RPS, which is off (host.mechanisms.rps=false): add --set host.mechanisms.rps=true',
  },
  {
    path: 'host.rfs.sock_flow_entries',
    inert: (s) =>
      s.host.mechanisms.rps && s.host.mechanisms.rfs
        ? null
        : 'RFS is off (it needs host.mechanisms.rps=true and host.mechanisms.rfs=true)',
  },
  {
    path: 'host.rfs.flow_cnt',
    inert: () =>
      'the model does not use it (a flow is steered by the socket flow table alone; the per-queue table is checked, not modelled)',
  },
  {
    path: 'host.cpus.numa_nodes',
    prefix: true,
    inert: () =>
      "the model does not use it (placement comes from the masks: irq_cpus, rps_cpus, xps_cpus, the applications' cpus; it is checked, not modelled)",
  },
  {
    path: 'host.nic.coalescing',
    inert: (s) => noInterrupt(s) ?? moderationOff(s),
  },
  { path: 'host.nic.irq_cpus', inert: noInterrupt },
  { path: 'host.nic.hardirq_cost_ns', inert: noInterrupt },
  { path: 'host.nic.tx_clean_cost_ns_per_frame', inert: noInterrupt },
  { path: 'host.mechanisms.coalescing', inert: noInterrupt },
  {
    path: 'wire.jitter_cv',
    inert: (s) => (s.wire.jitter_mean_ns === 0 ? 'there is no jitter (wire.jitter_mean_ns is 0)' : null),
  },
  {
    path: 'wire.frame_overhead_bytes',
    inert: (s) =>
      s.wire.line_rate_gbps === 0 ? 'the wire has no serialization (wire.line_rate_gbps is 0)' : null,
  },
  {
    path: 'host.apps.tcpkali.send_timer.mode',
    inert: (s) =>
      s.host.apps.tcpkali.send_timer.granularity_ns === 0
        ? 'sends leave at their due times (send_timer.granularity_ns is 0)'
        : null,
  },
  {
    path: 'host.apps.tcpkali.send_timer.slack_ns',
    inert: (s) =>
      s.host.apps.tcpkali.send_timer.granularity_ns === 0 ||
      s.host.apps.tcpkali.send_timer.mode !== 'after_burst'
        ? 'the slack applies only to the after_burst timer (send_timer.mode after_burst, granularity_ns above 0)'
        : null,
  },
  {
    path: 'host.nic.rx_usecs',
    inert: (s) =>
      noInterrupt(s) ??
      moderationOff(s) ??
      (s.host.nic.coalescing !== 'fixed'
        ? `the interval applies only to fixed moderation, and host.nic.coalescing is ${s.host.nic.coalescing}: add --set host.nic.coalescing=fixed (or =off for an interrupt per arrival)`
        : null),
  },
  {
    path: 'host.nic.adaptive_',
    prefix: true,
    inert: (s) =>
      noInterrupt(s) ??
      moderationOff(s) ??
      (s.host.nic.coalescing !== 'adaptive'
        ? `it applies only to adaptive moderation, and host.nic.coalescing is ${s.host.nic.coalescing}`
        : null),
  },
  {
    path: 'host.rps_cpus',
    inert: (s) =>
      !s.host.mechanisms.rps
        ? 'RPS is off (host.mechanisms.rps=false)'
        : s.host.mechanisms.rfs
          ? 'RFS steers every flow to the CPU of the worker that reads it, so the RPS mask picks no CPU: add --set host.mechanisms.rfs=false to steer by flow hash over the mask'
          : null,
  },
  {
    path: 'host.apps.nginx.epoll_max_events',
    inert: () =>
      'the model does not use it (a woken worker serves every ready request before it sleeps; docs/model.md)',
  },
];

/**
 * One warning per override in `sets` that cannot change the result of scenario `s`, each named as
 * `<label> <path=value>` (`--set`, or a what-if variant's label such as `--variant 16vcpu:`).
 */
export function inertSetWarnings(s: Scenario, sets: readonly string[], label = '--set'): string[] {
  const out: string[] = [];
  for (const expr of sets) {
    const { path } = splitSet(expr);
    for (const rule of RULES) {
      const hit = rule.prefix ? path.startsWith(rule.path) : path === rule.path;
      if (!hit) continue;
      const why = rule.inert(s);
      // A variant's overrides are not --set flags: the hint names only what to add.
      if (why)
        out.push(
          `${label} ${expr} changes nothing: ${label === '--set' ? why : why.replace(/add --set /g, 'add ')}`,
        );
    }
  }
  return out;
}
