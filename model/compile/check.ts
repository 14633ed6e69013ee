/**
 * Checks a complete scenario beyond what the schema can say: CPU masks name only CPUs the host
 * has, one IRQ CPU and one XPS mask per queue, stage lists shaped as the interpreter expects, the
 * option's rx_passes equal to the passes its stages make.
 * Throws InputError naming the path and value. Pure.
 */
import { InputError } from '../../cli/errors.ts';
import { parseCpuMask } from '../cpu-mask.ts';
import type { Scenario } from '../schema/scenario.ts';

export function maskCpus(text: string, field: string, cpuCount: number): number[] {
  let cpus: number[];
  try {
    cpus = parseCpuMask(text);
  } catch (err) {
    throw new InputError(field, text, (err as Error).message);
  }
  const bad = cpus.filter((c) => c >= cpuCount);
  if (bad.length > 0)
    throw new InputError(field, text, `names CPU ${bad[0]} but the host has CPUs 0-${cpuCount - 1}`);
  return cpus;
}

export function checkScenario(s: Scenario): void {
  const n = s.host.cpus.count;
  const h = s.host;
  s.host.cpus.numa_nodes.forEach((m, i) => {
    maskCpus(m, `host.cpus.numa_nodes.${i}`, n);
  });
  const irq = maskCpus(h.nic.irq_cpus, 'host.nic.irq_cpus', n);
  if (parseListKeepingOrder(h.nic.irq_cpus).length !== h.nic.queues)
    throw new InputError(
      'host.nic.irq_cpus',
      h.nic.irq_cpus,
      `needs one CPU per queue (${h.nic.queues} queues)`,
    );
  if (irq.length === 0) throw new InputError('host.nic.irq_cpus', h.nic.irq_cpus, 'needs at least one CPU');
  // The MSS is the MTU less the TCP/IP headers: a segment must carry at least one byte.
  if (s.option.mtu <= h.tcp.header_bytes)
    throw new InputError(
      'option.mtu',
      s.option.mtu,
      `must exceed the ${h.tcp.header_bytes} B of TCP/IP headers (host.tcp.header_bytes), or no segment carries data`,
    );
  maskCpus(h.rps_cpus, 'host.rps_cpus', n);
  if (h.xps_cpus.length !== h.nic.queues)
    throw new InputError('host.xps_cpus', h.xps_cpus, `needs one mask per TX queue (${h.nic.queues} queues)`);
  h.xps_cpus.forEach((m, i) => {
    maskCpus(m, `host.xps_cpus.${i}`, n);
  });
  const ng = maskCpus(h.apps.nginx.cpus, 'host.apps.nginx.cpus', n);
  const tk = maskCpus(h.apps.tcpkali.cpus, 'host.apps.tcpkali.cpus', n);
  if (ng.length === 0)
    throw new InputError('host.apps.nginx.cpus', h.apps.nginx.cpus, 'needs at least one CPU');
  if (tk.length === 0)
    throw new InputError('host.apps.tcpkali.cpus', h.apps.tcpkali.cpus, 'needs at least one CPU');
  if (h.cpus.smt_sibling_offset > 0 && h.cpus.smt_sibling_offset * 2 > n)
    throw new InputError(
      'host.cpus.smt_sibling_offset',
      h.cpus.smt_sibling_offset,
      `siblings i and i+offset must fit in ${n} CPUs`,
    );
  for (const k of ['sock_flow_entries', 'flow_cnt'] as const) {
    const v = h.rfs[k];
    if ((v & (v - 1)) !== 0)
      throw new InputError(`host.rfs.${k}`, v, 'must be a power of 2 (the kernel rounds it up)');
  }
  const o = s.option;
  const names = new Set<string>();
  for (const dir of ['tx', 'rx'] as const) {
    o.stages[dir].forEach((st, i) => {
      const f = `option.stages.${dir}.${i}`;
      if (names.has(st.name))
        throw new InputError(`${f}.name`, st.name, 'stage names must be unique in an option');
      names.add(st.name);
      if (dir === 'rx' && (i === 0) !== (st.handoff === 'nic'))
        throw new InputError(
          `${f}.handoff`,
          st.handoff,
          i === 0 ? 'the first rx stage must be the nic poll' : 'only the first rx stage has handoff nic',
        );
      if (dir === 'tx' && i === 0 && (st.handoff !== 'none' || st.runs_on !== 'app'))
        throw new InputError(
          `${f}.handoff`,
          st.handoff,
          'the first tx stage runs in the application (handoff none, runs_on app)',
        );
      if (dir === 'tx' && (st.handoff === 'nic' || st.handoff === 'rps' || st.handoff === 'gro_cells'))
        throw new InputError(`${f}.handoff`, st.handoff, 'tx stages hand off with none or backlog only');
      if (st.handoff !== 'none' && st.handoff !== 'nic' && st.handoff !== 'rps' && st.cls !== 'softirq')
        throw new InputError(`${f}.cls`, st.cls, `a stage after a ${st.handoff} hand-off runs in softirq`);
      if (dir === 'rx' && st.cls === 'task')
        throw new InputError(`${f}.cls`, st.cls, 'receive stages run in softirq');
      // Where a stage runs and in which class follow from the hand-offs (the interpreter places
      // stages by them): a value that disagrees would be ignored, so it is refused.
      const afterBacklog = o.stages[dir].slice(0, i + 1).some((x) => x.handoff === 'backlog');
      const runsOn = { nic: 'irq', rps: 'rps', backlog: 'current', gro_cells: 'current', none: 'current' }[
        st.handoff
      ];
      const expected = {
        runs_on: dir === 'tx' && i === 0 ? 'app' : runsOn,
        cls: dir === 'rx' || afterBacklog ? 'softirq' : 'task',
      };
      for (const k of ['runs_on', 'cls'] as const)
        if (st[k] !== expected[k])
          throw new InputError(
            `${f}.${k}`,
            st[k],
            `follows from the hand-offs and is ${expected[k]} here (${dir === 'tx' && i === 0 ? "the application's write" : dir === 'rx' ? 'a receive stage' : afterBacklog ? 'after a backlog hand-off' : 'in the sending task'}, handoff ${st.handoff}): the simulator places stages by their hand-offs, so another value would be ignored`,
          );
    });
  }
  // rx_passes documents the receive passes; it must agree with what the stages make: the NIC poll,
  // then one more per queue a packet is handed to (a backlog or gro_cells; an RPS hand-off moves the
  // same pass to another CPU).
  const passes =
    1 + o.stages.rx.filter((st) => st.handoff === 'backlog' || st.handoff === 'gro_cells').length;
  if (o.rx_passes !== passes)
    throw new InputError(
      'option.rx_passes',
      o.rx_passes,
      `the rx stages make ${passes} receive pass(es) (the NIC poll, plus one per backlog or gro_cells hand-off)`,
    );
}

/** `0,9` -> [0, 9] keeping order and duplicates (one entry per queue). */
export function parseListKeepingOrder(text: string): number[] {
  return text
    .split(',')
    .filter((p) => p.trim() !== '')
    .flatMap((p) => {
      const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(p);
      if (!m) return [Number.NaN];
      const lo = Number(m[1]);
      const hi = m[2] === undefined ? lo : Number(m[2]);
      return Array.from({ length: Math.max(0, hi - lo + 1) }, (_, i) => lo + i);
    });
}
