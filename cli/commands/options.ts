/** `cnisim options`: the built-in network options, one line each; `--show` prints one in full. */
import type { Command } from 'commander';
import { builtinOptionIds, loadOption, optionFilePath } from '../../model/load.ts';
import { formatTable, printJson } from '../output.ts';
import { normalize } from '../../model/compile/normalize.ts';
import { showModel } from '../show-model.ts';

export function register(program: Command): void {
  program
    .command('options')
    .description('List the built-in network options (one line each)')
    .option('--json', 'print as JSON')
    .option(
      '--show <id|file>',
      'print one network option in full: a built-in as written, a file with its extends resolved',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ cnisim options
  $ cnisim options --show flannel-vxlan   # its stages per direction, their costs and sources

An option of your own: a YAML file of stages, or one that extends a built-in (docs/model.md, "Your own host").`,
    )
    .action((o: { json?: boolean; show?: string }) => {
      if (o.show !== undefined) {
        const resolved = loadOption(o.show, '--show');
        // The checks a simulation makes (passes against stages, MTU against headers, ...), on the
        // default host, so that what prints is an option simulate accepts.
        normalize({ option: resolved, workload: { rate_rps: 1000, response_bytes: 350 } });
        showModel(optionFilePath(o.show)!, resolved, 'option', o.json);
        return;
      }
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
