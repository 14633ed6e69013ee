/**
 * `cnisim lab up|down|status`: the namespace lab (harness/lab). Builds two "hosts" and two pods out
 * of network namespaces for one network option, checks connectivity and starts nginx; `down`
 * removes everything named cns-* (also what a crash left behind).
 */
import type { Command } from 'commander';
import { InputError } from '../errors.ts';
import {
  driverAvailable,
  labDown,
  labStatus,
  labUp,
  namespacesUsable,
  onInterrupt,
  resolveOption,
} from '../../harness/lab/lab.ts';
import { usableCpus } from '../../harness/allowed-cpus.ts';
import { parseCpuListFlag } from '../../harness/cpulist.ts';
import { isLabOption, LAB_OPTIONS, LAB_PREFIX, type LabOption, labPrefix } from '../../harness/lab/layout.ts';
import { log, printJson, printTable } from '../output.ts';

function option(raw: string): LabOption {
  if (!isLabOption(raw))
    throw new InputError('--option', raw, `unknown option; one of ${LAB_OPTIONS.join(', ')}`);
  return raw;
}

function requireNamespaces(): void {
  const u = namespacesUsable();
  if (!u.ok)
    throw new InputError('lab', 'network namespaces', `${u.reason} (the lab needs root and iproute2)`);
}

export function register(program: Command): void {
  const lab = program
    .command('lab')
    .description('Build the network options out of network namespaces on this machine (needs root).')
    .addHelpText(
      'after',
      `
Layout: hostA and hostB joined by a veth "wire"; podA/podB behind a bridge (host-gw, vxlan) or a
macvlan/ipvlan slave of the wire. Every name starts with ${LAB_PREFIX}. Traffic stays in these namespaces.

Examples:
  $ cnisim lab up --option flannel-vxlan
  $ cnisim lab status
  $ cnisim lab down                       # removes every ${LAB_PREFIX}* namespace and its processes`,
    );

  lab
    .command('up')
    .description('Build one option, check connectivity, start nginx in the server namespace.')
    .requiredOption('--option <id>', `network option: ${LAB_OPTIONS.join(', ')}`)
    .option(
      '--tag <tag>',
      'name tag, so several labs of one option can coexist: 1-12 lowercase letters or digits',
      'lab',
    )
    .option('--substitute', 'when ipvlan is missing build macvlan instead (recorded as macvlan)', false)
    .option('--no-nginx', 'do not start nginx')
    .option('--nginx-cpus <list>', 'CPUs of the nginx workers, one worker per CPU, e.g. 1 or 1-3', '1')
    .option('--json', 'print the lab state as JSON', false)
    .addHelpText('after', '\nExample:\n  $ cnisim lab up --option ipvlan --substitute')
    .action(
      async (o: {
        option: string;
        tag: string;
        substitute: boolean;
        nginx: boolean;
        nginxCpus: string;
        json: boolean;
      }) => {
        const opt = option(o.option);
        const cpus = parseCpuListFlag('--nginx-cpus', o.nginxCpus, usableCpus());
        requireNamespaces();
        // The prefix of what is built (macvlan's with --substitute): removed on Ctrl-C.
        const prefix = labPrefix(resolveOption(opt, o.substitute).used, o.tag);
        const remove = onInterrupt(() => labDown(prefix));
        try {
          const state = await labUp(opt, {
            tag: o.tag,
            substitute: o.substitute,
            nginx: o.nginx,
            nginx_cpus: cpus,
            log,
          });
          if (o.json) printJson(state);
          else
            printTable(
              [state],
              [
                { header: 'option', value: (s) => s.layout.option },
                { header: 'option_used', value: (s) => s.layout.option_used },
                { header: 'driver', value: (s) => s.layout.driver },
                { header: 'client', value: (s) => `${s.layout.client.netns} ${s.layout.client.ip}` },
                { header: 'server', value: (s) => `${s.layout.server.netns} ${s.layout.server.ip}` },
                { header: 'pod_mtu_bytes', value: (s) => s.layout.pod_mtu },
                {
                  header: 'nginx',
                  value: (s) => (s.nginx ? `${s.nginx.version} pid ${s.nginx.master_pid}` : 'off'),
                },
              ],
            );
        } finally {
          remove();
        }
      },
    );

  lab
    .command('down')
    .description('Remove labs: every cns-* namespace (default), or one option with --option.')
    .option('--option <id>', 'only this option')
    .option('--tag <tag>', 'with --option: the tag it was built with', 'lab')
    .option('--json', 'print the removed namespaces as JSON', false)
    .addHelpText('after', '\nExample:\n  $ cnisim lab down --option flannel-vxlan')
    .action((o: { option?: string; tag: string; json: boolean }) => {
      const prefix = o.option ? labPrefix(option(o.option), o.tag) : LAB_PREFIX;
      const removed = labDown(prefix);
      if (o.json) printJson({ removed });
      else log(removed.length ? `lab: removed ${removed.join(', ')}` : 'lab: nothing to remove');
    });

  lab
    .command('status')
    .description('List the labs on this machine and which pod drivers the kernel has.')
    .option('--json', 'print JSON', false)
    .addHelpText('after', '\nExample:\n  $ cnisim lab status --json')
    .action((o: { json: boolean }) => {
      const labs = labStatus();
      const drivers = (['ipvlan', 'macvlan', 'vxlan', 'bridge'] as const).map((d) => ({
        driver: d,
        ...driverAvailable(d),
      }));
      if (o.json) {
        printJson({ labs, drivers });
        return;
      }
      if (labs.length === 0) log('lab: no lab is up');
      else
        printTable(labs, [
          { header: 'prefix', value: (l) => l.prefix },
          {
            header: 'option',
            value: (l) => l.state?.layout.option ?? '(no state: crash leftover, run lab down)',
          },
          { header: 'option_used', value: (l) => l.state?.layout.option_used ?? '-' },
          { header: 'namespaces', value: (l) => l.namespaces.length },
          { header: 'nginx_pid', value: (l) => l.state?.nginx?.master_pid ?? '-' },
        ]);
      for (const d of drivers)
        log(
          `driver ${d.driver}: ${d.available ? 'available' : `MISSING (${d.reason})${d.driver === 'ipvlan' ? '; use macvlan, or --substitute' : ''}`}`,
        );
    });
}
