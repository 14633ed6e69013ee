/** `cnisim hosts`: the built-in host profiles, one line each; `--show` prints one in full. */
import type { Command } from 'commander';
import { builtinHostIds, hostFilePath, loadHost } from '../../model/load.ts';
import { formatTable, printJson } from '../output.ts';
import { normalize } from '../../model/compile/normalize.ts';
import { showModel } from '../show-model.ts';

export function register(program: Command): void {
  program
    .command('hosts')
    .description('List the built-in host profiles (one line each)')
    .option('--json', 'print as JSON')
    .option(
      '--show <id|file>',
      'print one host profile in full: a built-in as written, a file with its extends resolved',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ cnisim hosts
  $ cnisim hosts --show c4.8xlarge                             # the study's hosts, every number with its source
  $ cnisim hosts --show examples/hosts/16-vcpu-4-queues.yaml   # a host of your own (extends c4.8xlarge), as read

A host of your own: a YAML file that extends a built-in and sets what differs (docs/model.md, "Your own host").`,
    )
    .action((o: { json?: boolean; show?: string }) => {
      if (o.show !== undefined) {
        const resolved = loadHost(o.show, '--show');
        // The checks a simulation makes (CPU masks against the CPUs, one IRQ CPU per queue, ...),
        // with a built-in option, so that what prints is a host simulate accepts.
        normalize({ host: resolved, option: 'net-host', workload: { rate_rps: 1000, response_bytes: 350 } });
        showModel(hostFilePath(o.show)!, resolved, 'host', o.json);
        return;
      }
      const rows = builtinHostIds().map((id) => {
        const h = loadHost(id);
        return {
          id,
          cpus: h.cpus.count,
          queues: h.nic.queues,
          line_rate_gbps: h.wire.line_rate_gbps,
          description: h.description,
        };
      });
      if (o.json) printJson(rows);
      else
        process.stdout.write(
          formatTable(rows, [
            { header: 'id', value: (r) => r.id, align: 'left' },
            { header: 'cpus', value: (r) => r.cpus },
            { header: 'nic_queues', value: (r) => r.queues },
            { header: 'line_gbps', value: (r) => (r.line_rate_gbps === 0 ? 'unlimited' : r.line_rate_gbps) },
            { header: 'description', value: (r) => r.description, align: 'left' },
          ]),
        );
    });
}
