/**
 * The what-if questions for a host of your own (`study what-if --host`): built from its own
 * configuration, each override valid for the model and none that changes nothing; the study's host
 * keeps the study's questions.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inertSetWarnings } from '../../model/compile/inert-sets.ts';
import { unchangedSetWarnings } from '../../model/compile/unchanged-sets.ts';
import { loadHost } from '../../model/load.ts';
import type { SimulateRequest } from '../../notebooks/lib/simulator.ts';
import { runStudy } from '../../notebooks/run-study.ts';
import { QUESTIONS, questionsFor } from '../../notebooks/studies/what-if.ts';
import { scenarioOf } from '../../sim/simulate.ts';
import { toySimulate } from './fixtures/toy-results.ts';
import { tempDirs } from './helpers/temp-dirs.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/hosts/16-vcpu-4-queues.yaml', import.meta.url));
const tmp = tempDirs('cnisim-what-if-host-');

describe('what-if questions for a host of your own', () => {
  it('keeps the study’s questions on the study’s host, each variant another scenario than its baseline', () => {
    expect(questionsFor(loadHost('c4.8xlarge'))).toBe(QUESTIONS);
    for (const x of QUESTIONS)
      for (const v of x.variants.slice(1)) {
        const req = { option: x.option, rate_rps: x.rate_rps, response_bytes: x.response_bytes };
        const s = scenarioOf({ ...req, set: v.set });
        expect(unchangedSetWarnings(scenarioOf(req), s, v.set), `${x.id}: ${v.label}`).toEqual([]);
        expect(inertSetWarnings(s, v.set), `${x.id}: ${v.label}`).toEqual([]);
      }
  });

  it('builds the variants from the host’s configuration, at a rate scaled by its CPUs', () => {
    const qs = questionsFor(loadHost(EXAMPLE));
    const q = (id: string) => qs.find((x) => x.id === id)!;
    // 250k x 16/36 = 111k and 150k x 16/36 = 67k, in steps of 10k.
    expect(q('rps').rate_rps).toBe(110_000);
    expect(q('mtu').rate_rps).toBe(70_000);
    // RPS is off there: the variants turn it on over the first threads that take no IRQ (4-7).
    expect(q('rps').variants.map((v) => v.label)).toEqual([
      'RPS off (as configured)',
      'RPS over 4-7 (by flow hash)',
      'RPS with RFS (each flow to its reader’s CPU)',
    ]);
    expect(q('irq').variants[1]!.set).toEqual(['host.nic.irq_cpus=0,0,0,0']);
    expect(q('coalescing').variants.map((v) => v.label)).not.toContain('adaptive');
    expect(q('workers').variants.map((v) => v.label)).toEqual([
      '8 workers on 0-7 (as configured)',
      '4 workers on 4-7', // off the IRQ CPUs 0-3, as the study's 9 on 1-8,10
      '16 workers on 0-15',
    ]);
    expectEachVariantActs(EXAMPLE, qs);
    // --rate: the 350 B questions at it, the 4 KB one at 0.6 of it (the study's 150k to 250k).
    const at50k = questionsFor(loadHost(EXAMPLE), 50_000);
    expect(at50k.filter((x) => x.response_bytes === 350).every((x) => x.rate_rps === 50_000)).toBe(true);
    expect(at50k.filter((x) => x.response_bytes === 4096).map((x) => x.rate_rps)).toEqual([30_000]);
    expect(questionsFor(loadHost(EXAMPLE), 1000).find((x) => x.id === 'mtu')!.rate_rps).toBe(600);
  });

  it('asks on the namespace lab host only what its configuration can answer', () => {
    // One worker, a veth receive without interrupts: no IRQ or moderation question, no "fewer workers".
    const qs = questionsFor(loadHost('netns-lab'));
    expect(qs.map((q) => q.id)).toEqual(['rps', 'workers', 'mtu']);
    expect(qs.find((q) => q.id === 'workers')!.variants.map((v) => v.label)).toEqual([
      '1 worker on 1 (as configured)',
      '2 workers on 0-1',
    ]);
    expectEachVariantActs('netns-lab', qs);
  });

  it('--rate on the study’s host changes the rates of the study’s questions, nothing else', () => {
    const qs = questionsFor(loadHost('c4.8xlarge'), 100_000);
    expect(qs.map((q) => q.variants)).toEqual(QUESTIONS.map((q) => q.variants));
    expect(qs.map((q) => q.rate_rps)).toEqual(
      QUESTIONS.map((q) => (q.response_bytes === 4096 ? 60_000 : 100_000)),
    );
  });
});

/** Every override is one the model takes, none of them changes nothing, and each variant differs from its baseline. */
function expectEachVariantActs(host: string, qs: ReturnType<typeof questionsFor>): void {
  for (const x of qs)
    for (const v of x.variants) {
      const req = {
        option: x.option,
        host,
        rate_rps: x.rate_rps,
        response_bytes: x.response_bytes,
        set: v.set,
      };
      const s = scenarioOf(req);
      expect(inertSetWarnings(s, v.set), `${x.id}: ${v.label}`).toEqual([]);
      // ... and each variant is another scenario than its question's baseline.
      expect(unchangedSetWarnings(scenarioOf({ ...req, set: [] }), s, v.set), `${x.id}: ${v.label}`).toEqual(
        [],
      );
    }
}

describe('what-if on a host of your own, run', () => {
  it('runs the study on that host', async () => {
    const asked: SimulateRequest[] = [];
    const outcome = await runStudy('what-if', {
      quick: true,
      seed: 2,
      outDir: tmp(),
      progress: false,
      host: EXAMPLE,
      simulate: async (req) => {
        asked.push(req);
        return toySimulate(req);
      },
    });
    expect(asked.length).toBe(questionsFor(loadHost(EXAMPLE)).reduce((n, q) => n + q.variants.length, 0));
    for (const r of asked) expect(r.host).toBe(EXAMPLE);
    expect(outcome.table.caption).toContain('16-vcpu-4-queues as configured');
  }, 60_000);
});
