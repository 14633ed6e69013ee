/** `cnisim hosts`: the built-in host profiles, one line each. */
import type { Command } from 'commander';
import { builtinHostIds, loadHost } from '../../model/load.ts';
import { formatTable, printJson } from '../output.ts';

export function register(program: Command): void {
  program
    .command('hosts')
    .description('List the built-in host profiles (one line each)')
    .option('--json', 'print as JSON')
    .addHelpText('after', '\nExample:\n  $ cnisim hosts')
    .action((o: { json?: boolean }) => {
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
            { header: 'line_gbps', value: (r) => r.line_rate_gbps },
            { header: 'description', value: (r) => r.description, align: 'left' },
          ]),
        );
    });
}
