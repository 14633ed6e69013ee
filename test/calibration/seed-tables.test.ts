import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seedTablesToRecords } from '../../calibration/seed-tables.ts';
import { loadRunRecords } from '../../harness/run-record-io.ts';
import { main } from '../../cli/main.ts';
import { cnisim } from '../cli/helpers/run-cnisim.ts';

// CI clones the repo beside a copy of shared/: the reference lies at ../shared/reference.
const REF = resolve(import.meta.dirname, '../../../shared/reference/seed-study-calibration.json');
const have = existsSync(REF);
if (!have) console.log(`seed-tables tests skipped: ${REF} is missing`);

const tmp = mkdtempSync(join(tmpdir(), 'cnisim-seed-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!have)('import seed-tables', () => {
  it('turns both tables into ten schema-valid records with the published percentiles', () => {
    const file = JSON.parse(readFileSync(REF, 'utf8'));
    const recs = seedTablesToRecords(file);
    expect(recs).toHaveLength(10);
    const vx = recs.find((r) => r.option === 'flannel-vxlan' && r.requested_rps === 150000)!;
    expect(vx.latency_ms).toEqual({
      p95: 1.2,
      p99: 1.5,
      p99_5: 1.6,
      p99_99: 6.6,
      p99_999: 201.9,
      max: 405.3,
    });
    expect(vx.source).toBe('published-table');
    expect(vx.latency_resolution_ms).toBe(0.1);
    expect(vx.counters).toBeUndefined();
    expect(vx.driver).toBe('vxlan');
    const big = recs.find((r) => r.option === 'net-host' && r.requested_rps === 50000)!;
    expect(big.response_bytes).toBe(4336);
    expect(big.response_body_bytes).toBe(4096);
  });

  it('writes them through the CLI as records loadRunRecords reads back', async () => {
    const out = join(tmp, 'runs');
    const code = await main(['node', 'cnisim', 'import', 'seed-tables', REF, '--out', out, '--json']);
    expect(code).toBe(0);
    const back = loadRunRecords([out]);
    expect(back).toHaveLength(10);
    expect(new Set(back.map((r) => r.option))).toEqual(
      new Set(['ipvlan', 'flannel-aws-vpc', 'flannel-host-gw', 'flannel-vxlan', 'net-host']),
    );
  });
});

describe('import seed-tables: bad input', () => {
  /** A small table file in the study's layout; `edit` breaks it. */
  function tableFile(
    name: string,
    edit: (f: { columns: string[]; tables: { rows: Record<string, number[]> }[] }) => void,
  ): string {
    const f = {
      columns: ['p95_ms', 'p99_ms', 'max_ms'],
      tables: [
        {
          response_bytes: 350,
          rate_rps: 150000,
          rows: { ipvlan: [0.7, 0.9, 18], 'net-host': [0.5, 0.6, 11.8] },
        },
      ],
    };
    edit(f);
    const path = join(tmp, name);
    writeFileSync(path, JSON.stringify(f));
    return path;
  }
  let outs = 0;
  const importInto = (file: string, out = join(tmp, `out-${++outs}`)) =>
    cnisim('import', 'seed-tables', file, '--out', out);

  it('exits 3 naming the file when it is not a table file', async () => {
    const bad = join(tmp, 'bad.json');
    await import('node:fs').then((fs) => fs.writeFileSync(bad, '{"tables": 3}'));
    const code = await main(['node', 'cnisim', 'import', 'seed-tables', bad, '--out', join(tmp, 'x')]);
    expect(code).toBe(3);
  });

  it('a schema error names the first issue: its path and message', () => {
    const r = importInto(tableFile('neg.json', (f) => Object.assign(f.tables[0]!, { rate_rps: -1 })));
    expect(r.code).toBe(3);
    expect(r.err).toMatch(
      /neg\.json: tables\.0\.rate_rps: not a seed-study table file: Too small: .*>0 \(got -1\)/,
    );
  });

  it('refuses percentiles out of order in a row, naming table, row and column', () => {
    const file = tableFile('order.json', (f) => {
      f.tables[0]!.rows.ipvlan = [0.7, 0.6, 18];
    });
    const r = importInto(file);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(
      /order\.json: tables\.0\.rows\.ipvlan, column p99_ms: percentiles out of order: p99_ms = 0\.6 ms is below p95_ms = 0\.7 ms/,
    );
    // whatever order the columns come in
    const shuffled = tableFile('order2.json', (f) => {
      f.columns = ['max_ms', 'p95_ms', 'p99_ms'];
      f.tables[0]!.rows = { ipvlan: [18, 0.7, 0.9], 'net-host': [0.5, 0.6, 11.8] };
    });
    expect(importInto(shuffled).err).toMatch(
      /rows\.net-host, column max_ms: .*max_ms = 0\.5 ms is below p99_ms = 11\.8 ms/,
    );
  });

  it('refuses an option id the model does not know', () => {
    const file = tableFile('unknown.json', (f) => {
      f.tables[0]!.rows['flannel-foo'] = [0.7, 0.9, 18];
    });
    const r = importInto(file);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(
      /unknown\.json: tables\.0\.rows\.flannel-foo: unknown option id .*\(got "flannel-foo"\)/,
    );
  });

  it('refuses a column named twice instead of letting it overwrite the first', () => {
    const dup = tableFile('dup.json', (f) => {
      f.columns = ['p95_ms', 'p99_ms', 'p95'];
    });
    expect(() => seedTablesToRecords(JSON.parse(readFileSync(dup, 'utf8')))).toThrow(
      /columns\.2: the same percentile as column 0 \("p95_ms"\)/,
    );
    expect(importInto(dup).code).toBe(3);
  });

  it('--out naming an existing regular file is invalid input naming --out', () => {
    const file = tableFile('good.json', () => {});
    const blocker = join(tmp, 'a-file');
    writeFileSync(blocker, 'x');
    const r = importInto(file, blocker);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/cnisim: --out: is a file, not a directory/);
    expect(importInto(file).code).toBe(0);
  });
});
