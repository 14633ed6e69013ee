/**
 * The capacity study for another host, load and response size (`cnisim study capacity --host
 * <file> --target-rps <rps> --response-bytes <n>`), over the closed-form toy of the renderer tests
 * (not the simulator): every point is asked of that host and size, and the servers needed follow
 * from each capacity by arithmetic.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SimulateRequest } from '../../notebooks/lib/simulator.ts';
import { runStudy } from '../../notebooks/run-study.ts';
import { toySimulate } from './fixtures/toy-results.ts';
import { tempDirs } from './helpers/temp-dirs.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/hosts/16-vcpu-4-queues.yaml', import.meta.url));
const tmp = tempDirs('cnisim-capacity-plan-');

describe('study capacity on another host', () => {
  it('asks every point of that host and size, and plans servers for the target load', async () => {
    const asked: SimulateRequest[] = [];
    const out = tmp();
    const outcome = await runStudy('capacity', {
      quick: true,
      seed: 2,
      outDir: out,
      progress: false,
      host: EXAMPLE,
      target_rps: 2_000_000,
      response_bytes: 4096,
      simulate: async (req) => {
        asked.push(req);
        return toySimulate(req);
      },
    });
    expect(asked.length).toBeGreaterThan(0);
    for (const r of asked) {
      expect(r.host).toBe(EXAMPLE);
      expect(r.response_bytes).toBe(4096);
    }
    expect(outcome.table.caption).toContain('one 16-vcpu-4-queues server');
    expect(outcome.table.caption).toContain('2,000,000 requests/s');
    const rated = outcome.table.rows.filter((r) => typeof r['max_rate_rps'] === 'number');
    expect(rated.length).toBeGreaterThan(0);
    for (const r of rated) expect(r['hosts']).toBe(Math.ceil(2_000_000 / (r['max_rate_rps'] as number)));
    const data = JSON.parse(readFileSync(join(out, 'data.json'), 'utf8'));
    expect(data.data.plan.host).toBe(EXAMPLE);
    expect(data.data.plan.host_id).toBe('16-vcpu-4-queues');
    expect(data.data.plan.target_rps).toBe(2_000_000);
    // Each row says how finely its search resolved the capacity; the capacity lies in that bracket.
    for (const r of rated.filter((x) => x['note'] === null)) {
      expect(r['resolution_rps'] as number).toBeGreaterThan(0);
      expect(r['ci95_hi_rps'] as number).toBeGreaterThanOrEqual(
        (r['max_rate_rps'] as number) + (r['resolution_rps'] as number),
      );
    }
  }, 60_000);

  it('when no option meets any SLO at the lowest rate: no capacity stored, a sentence instead of an empty chart', async () => {
    const out = tmp();
    const outcome = await runStudy('capacity', {
      quick: true,
      seed: 2,
      outDir: out,
      progress: false,
      simulate: async (req) => ({ ...(await toySimulate(req)), saturated: true, latency_ms: null }),
    });
    expect(outcome.table.rows.every((r) => r['max_rate_rps'] === null && r['note'] === '< 50000')).toBe(true);
    const data = JSON.parse(readFileSync(join(out, 'data.json'), 'utf8'));
    for (const e of data.data.estimates) {
      expect(e.estimate.below_lower_bound).toBe(true);
      expect(e.estimate.max_rate_rps).toBeNull();
    }
    expect(outcome.written.charts).toEqual([]);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(
      /No option met any SLO at the lowest rate searched \(50,000/,
    );
  }, 60_000);
});
