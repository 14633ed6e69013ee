/**
 * `cnisim import seed-tables <file> --out <dir>`: turns the seed study's published percentile tables
 * into run records (one JSON file per option and table) that `calibrate` and `validate` read.
 * --out is checked before anything is written: a directory holding no records, that can be created
 * and written (exit 3 naming --out otherwise: a file in the way, /proc, /sys, read-only); it is made
 * once the tables have been read (a file that is no table leaves no empty folder behind).
 */
import type { Command } from 'commander';
import { writeRunRecord } from '../../harness/run-record-io.ts';
import { refuseUsedOut } from './harness.ts';
import { readSeedTablesFile } from '../../calibration/seed-tables.ts';
import { prepareOutDir } from '../out-file.ts';
import { log, printJson, printTable } from '../output.ts';

export function register(program: Command): void {
  const cmd = program.command('import').description('Import measurements from other sources as run records');
  cmd
    .command('seed-tables')
    .description("Turn the seed study's published percentile tables into run records (percentiles only)")
    .argument('<file>', 'the tables, e.g. ../shared/reference/seed-study-calibration.json')
    .requiredOption('--out <dir>', 'directory to write the run records into (created if missing)')
    .option('--json', 'print the written records as JSON instead of a table')
    .addHelpText(
      'after',
      `
Example:
  $ cnisim import seed-tables ../shared/reference/seed-study-calibration.json --out runs/seed/
  $ cnisim calibrate --runs runs/seed/ --out fitted.json`,
    )
    .action((file: string, opts: { out: string; json?: boolean }) => {
      refuseUsedOut(opts.out);
      // Every error names the file, then the table, row and column at fault (exit 3).
      const records = readSeedTablesFile(file);
      prepareOutDir('--out', opts.out);
      const written = records.map((r) => ({ record: r, path: writeRunRecord(opts.out, r) }));
      log(`import: wrote ${written.length} run records to ${opts.out}`);
      if (opts.json) {
        printJson(written.map((w) => ({ path: w.path, ...w.record })));
        return;
      }
      printTable(written, [
        { header: 'file', value: (w) => w.path, align: 'left' },
        { header: 'option', value: (w) => w.record.option, align: 'left' },
        { header: 'rate_rps', value: (w) => w.record.requested_rps },
        { header: 'response_bytes', value: (w) => w.record.response_bytes },
        { header: 'p95_ms', value: (w) => w.record.latency_ms.p95, digits: 1 },
        { header: 'p99_ms', value: (w) => w.record.latency_ms.p99, digits: 1 },
        { header: 'p99_5_ms', value: (w) => w.record.latency_ms.p99_5, digits: 1 },
        { header: 'p99_99_ms', value: (w) => w.record.latency_ms.p99_99, digits: 1 },
        { header: 'p99_999_ms', value: (w) => w.record.latency_ms.p99_999, digits: 1 },
        { header: 'max_ms', value: (w) => w.record.latency_ms.max, digits: 1 },
      ]);
    });
}
