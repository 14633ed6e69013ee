/** `cnisim report <file>`: saved simulate or sweep results as an HTML report (notebooks/sweep-report.ts). */
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { readSweepResults } from '../../notebooks/lib/sweep-results.ts';
import { tableToText } from '../../notebooks/lib/table-render.ts';
import { cellJson } from '../../notebooks/lib/format-cell.ts';
import { checkOutDir } from '../../notebooks/lib/out-dir.ts';
import { writeReport } from '../../notebooks/lib/write-report.ts';
import { sweepReport } from '../../notebooks/sweep-report.ts';
import { InputError } from '../errors.ts';
import { log, printJson } from '../output.ts';

export function register(program: Command): void {
  program
    .command('report <file>')
    .description(
      'Write saved sweep or simulate results as an HTML report (latency against rate, knees, every point)',
    )
    .option('--out <dir>', 'folder for the report (default: out/report-<file name>)')
    .option('--json', 'print the knee table as JSON', false)
    .addHelpText(
      'after',
      `
Examples:
  $ cnisim sweep --options all --rates 50k:450k:50k --response-bytes 350,4096 --out sweep.jsonl
  $ cnisim report sweep.jsonl                      # out/report-sweep/index.html
  $ cnisim sweep --options net-host,ipvlan --rates 100k,200k,300k --response-bytes 350 --json > s.json
  $ cnisim report s.json --out /tmp/s-report

Reads a sweep log (sweep --out, even one cut short), a sweep's JSON array (sweep --json) or one
simulate --json result. Nothing is simulated. Outputs: index.html (self-contained), report.md,
data.json, charts/*.svg and *.png; the knee table on stdout.`,
    )
    .action(async (file: string, o: { out?: string; json: boolean }) => {
      const outDir = o.out ?? join('out', `report-${basename(file).replace(/\.[^.]*$/, '')}`);
      checkOutDir(outDir);
      const read = readSweepResults(file);
      if (read.results.length === 0) throw new InputError('file', file, 'holds no simulated point yet');
      for (const n of read.notes) log(`report: ${n}`);
      const { report, knees } = sweepReport(file, read);
      const written = await writeReport(report, outDir);
      if (o.json)
        printJson(
          knees.rows.map((r) => Object.fromEntries(knees.columns.map((c) => [c.header, cellJson(r[c.key])]))),
        );
      else process.stdout.write(`${knees.caption}\n${tableToText(knees)}`);
      log(`report: written to ${written.htmlPath}`);
    });
}
