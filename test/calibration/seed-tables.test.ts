import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seedTablesToRecords } from '../../calibration/seed-tables.ts';
import { loadRunRecords } from '../../harness/run-record-io.ts';
import { main } from '../../cli/main.ts';

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
  it('exits 3 naming the file when it is not a table file', async () => {
    const bad = join(tmp, 'bad.json');
    await import('node:fs').then((fs) => fs.writeFileSync(bad, '{"tables": 3}'));
    const code = await main(['node', 'cnisim', 'import', 'seed-tables', bad, '--out', join(tmp, 'x')]);
    expect(code).toBe(3);
  });
});
