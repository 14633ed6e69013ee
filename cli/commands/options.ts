/** `cnisim options`: the built-in network options, one line each. */
import type { Command } from 'commander';
import { builtinOptionIds, loadOption } from '../../model/load.ts';
import { formatTable, printJson } from '../output.ts';

export function register(program: Command): void {
  program
    .command('options')
    .description('List the built-in network options (one line each)')
    .option('--json', 'print as JSON')
    .addHelpText('after', '\nExample:\n  $ cnisim options')
    .action((o: { json?: boolean }) => {
      const rows = builtinOptionIds().map((id) => {
        const opt = loadOption(id);
        return { id, mtu: opt.mtu, rx_passes: opt.rx_passes, description: opt.description };
      });
      if (o.json) printJson(rows);
      else
        process.stdout.write(
          formatTable(rows, [
            { header: 'id', value: (r) => r.id, align: 'left' },
            { header: 'mtu_bytes', value: (r) => r.mtu },
            { header: 'rx_passes', value: (r) => r.rx_passes },
            { header: 'description', value: (r) => r.description, align: 'left' },
          ]),
        );
    });
}
