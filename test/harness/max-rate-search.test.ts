/**
 * The open-loop maximum-rate search without a lab: fake step runners whose capacity is known, the
 * step and time bounds, and the verdict of a step decided from its run record alone.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CARRIED_FRACTION,
  nextOffer,
  observe,
  openLoopVerdict,
  runSearch,
  searchResult,
  serverWaitFraction,
  startSearch,
  type Verdict,
} from '../../harness/max-rate-search.ts';
import { loadRunRecords } from '../../harness/run-record-io.ts';
import { maxRateMethods, runOpenLoopSearches } from '../../harness/lab-run.ts';

/** A lab whose server carries every rate up to `cap` and nothing above it. */
const capped =
  (cap: number, seen: number[] = []) =>
  async (rate: number): Promise<Verdict> => {
    seen.push(rate);
    return rate <= cap ? { carried: true, reason: 'ok' } : { carried: false, reason: `over ${cap}` };
  };

describe('open-loop maximum-rate search', () => {
  it('brackets a capacity above the start within rel_tol, and only probes inside the bracket', async () => {
    for (const cap of [5_123, 12_345, 47_800, 98_765]) {
      const seen: number[] = [];
      const s = await runSearch({ start_rps: 4000, rel_tol: 0.02, max_steps: 40 }, capped(cap, seen));
      const r = searchResult(s);
      expect(r.max_rate_rps).toBeLessThanOrEqual(cap);
      expect(r.failing_rps!).toBeGreaterThan(cap);
      expect((r.failing_rps! - r.max_rate_rps) / r.failing_rps!).toBeLessThanOrEqual(0.02);
      expect(r.done_reason).toMatch(/bracket within 2 %/);
      // Doubling then bisection: no rate is offered twice.
      expect(new Set(seen).size).toBe(seen.length);
    }
  });

  it('doubles from the start, then bisects (the step sequence for a known capacity)', async () => {
    const seen: number[] = [];
    await runSearch({ start_rps: 4000, rel_tol: 0.1, granularity_rps: 50 }, capped(20_000, seen));
    // 4000, 8000, 16000 carried; 32000 fails; bisect (16000, 32000): 24000 fails, 20000 carried,
    // 22000 fails: bracket (20000, 22000) is within 10 % of 22000.
    expect(seen).toEqual([4000, 8000, 16000, 32000, 24000, 20000, 22000]);
  });

  it('searches downwards when the start already fails', async () => {
    const s = await runSearch({ start_rps: 4000 }, capped(1_500));
    const r = searchResult(s);
    expect(r.max_rate_rps).toBeLessThanOrEqual(1_500);
    expect(r.failing_rps!).toBeGreaterThan(1_500);
    expect(s.steps[1]!.offered_rps).toBe(2000);
  });

  it('stops at the step budget with the highest rate carried so far, saying so', async () => {
    const seen: number[] = [];
    const s = await runSearch({ start_rps: 4000, max_steps: 5 }, capped(47_800, seen));
    expect(seen).toHaveLength(5);
    const r = searchResult(s);
    expect(r.max_rate_rps).toBe(32_000); // 4000..32000 carried, 64000 failed: budget spent
    expect(r.failing_rps).toBe(64_000);
    expect(r.done_reason).toMatch(/step budget of 5/);
  });

  it('stops when the time budget says so (checked before each step), keeping what it found', async () => {
    let clock = 0;
    const s = await runSearch(
      { start_rps: 1000, max_steps: 40 },
      async (rate) => {
        clock += 10; // each step takes 10 s of the fake clock
        return capped(50_000)(rate);
      },
      () => (clock >= 30 ? 'time budget of 30 s spent' : null),
    );
    expect(s.steps).toHaveLength(3);
    expect(searchResult(s).max_rate_rps).toBe(4000);
    expect(s.done_reason).toBe('time budget of 30 s spent');
  });

  it('gives up after max_doublings when everything is carried, with no failing rate', async () => {
    const s = await runSearch({ start_rps: 1000, max_doublings: 3 }, capped(1e9));
    expect(s.steps.map((x) => x.offered_rps)).toEqual([1000, 2000, 4000, 8000]);
    expect(searchResult(s).failing_rps).toBeNull();
    expect(s.done_reason).toMatch(/still carried after 3 doublings/);
  });

  it('narrows the bracket step by step, keeping carried < failing at every step', () => {
    const s = startSearch({ start_rps: 4000, rel_tol: 0.02, granularity_rps: 50 });
    const verdicts: Record<number, boolean> = {
      4000: true,
      8000: true,
      16000: false,
      12000: true,
      14000: false,
      13000: true,
      13500: false,
      13250: true,
    };
    for (let offer = nextOffer(s); offer !== null; offer = nextOffer(s)) {
      expect(verdicts[offer]).toBeDefined();
      observe(s, offer, { carried: verdicts[offer]!, reason: '' });
      if (s.carried_rps !== null && s.failing_rps !== null) expect(s.carried_rps).toBeLessThan(s.failing_rps);
    }
    expect(searchResult(s).max_rate_rps).toBe(13_250);
  });

  it('offers a disturbed failure again (bounded), and then lets the rate decide', async () => {
    // The first offer of 16000 is disturbed (something else ran on the server's CPU); the retry is carried.
    const seen: number[] = [];
    let disturbOnce = true;
    const s = await runSearch({ start_rps: 4000, rel_tol: 0.1, max_retries: 2 }, async (rate) => {
      seen.push(rate);
      if (rate === 16000 && disturbOnce) {
        disturbOnce = false;
        return { carried: false, disturbed: true, reason: 'disturbed' };
      }
      return capped(20_000)(rate);
    });
    expect(seen.slice(0, 4)).toEqual([4000, 8000, 16000, 16000]);
    expect(s.steps[2]!.retried).toBe(true);
    expect(searchResult(s).max_rate_rps).toBeGreaterThanOrEqual(16_000);
    // Always disturbed: two retries, then the third disturbed failure counts.
    const t = await runSearch({ start_rps: 4000, max_retries: 2 }, async (rate) =>
      rate >= 8000
        ? { carried: false, disturbed: true, reason: 'disturbed' }
        : { carried: true, reason: 'ok' },
    );
    expect(t.steps.slice(0, 4).map((x) => [x.offered_rps, x.retried])).toEqual([
      [4000, false],
      [8000, true],
      [8000, true],
      [8000, false],
    ]);
    expect(searchResult(t).failing_rps).toBe(8000);
  });

  it('refuses a start rate that is not positive', () => {
    expect(() => startSearch({ start_rps: 0 })).toThrow(/start_rps/);
  });
});

describe('openLoopVerdict on a real lab record', () => {
  const base = loadRunRecords([resolve(import.meta.dirname, 'fixtures/lab-openloop-step.json')])[0]!;

  it('carries a step that was offered and answered in full', () => {
    expect(openLoopVerdict(base)).toMatchObject({ carried: true });
  });

  it(`fails a step that achieved under ${100 * CARRIED_FRACTION} % of the offered rate`, () => {
    const offered = base.requested_rps!;
    const v = openLoopVerdict({ ...base, achieved_rps: 0.96 * offered });
    expect(v.carried).toBe(false);
    expect(v.reason).toMatch(/achieved .* \(< 97 %\)/);
    expect(openLoopVerdict({ ...base, achieved_rps: 0.975 * offered }).carried).toBe(true);
  });

  it('fails a step where the generator fell behind or sent under 99 %, naming the generator', () => {
    const behind = openLoopVerdict({
      ...base,
      valid: false,
      invalid_reason: 'generator fell behind: 12 of 50000 sends of the window were written late',
    });
    expect(behind.carried).toBe(false);
    expect(behind.reason).toMatch(/generator could not offer/);
    const short = openLoopVerdict({ ...base, requests_sent: Math.floor(0.98 * base.requests_sent!) });
    expect(short.carried).toBe(false);
    expect(short.reason).toMatch(/generator offered/);
  });

  it('calls a failure disturbed when the server waited for its CPU more than 5 % of the window', () => {
    const m = base.counters!.machine!;
    const waited = (frac: number) => ({
      ...base,
      achieved_rps: 0.9 * base.requested_rps!,
      counters: {
        ...base.counters!,
        machine: {
          ...m,
          server_tasks: [{ ...m.server_tasks![0]!, wait_ns: Math.round(frac * m.interval_s * 1e9) }],
        },
      },
    });
    expect(serverWaitFraction(waited(0.2))).toBeCloseTo(0.2, 6);
    expect(openLoopVerdict(waited(0.2))).toMatchObject({ carried: false, disturbed: true });
    expect(openLoopVerdict(waited(0.2)).reason).toMatch(/server waited 20 %/);
    expect(openLoopVerdict(waited(0.01)).disturbed).toBeUndefined();
  });

  it('fails a step with error responses and a closed-loop step', () => {
    expect(openLoopVerdict({ ...base, errors: 3 }).carried).toBe(false);
    expect(openLoopVerdict({ ...base, requested_rps: null }).carried).toBe(false);
  });
});

describe('maxRateMethods', () => {
  it('keeps `true` meaning the wrk step, and splits `both`', () => {
    expect(maxRateMethods(true)).toEqual({ wrk: true, openLoop: false });
    expect(maxRateMethods('open-loop')).toEqual({ wrk: false, openLoop: true });
    expect(maxRateMethods('both')).toEqual({ wrk: true, openLoop: true });
    expect(maxRateMethods(undefined)).toEqual({ wrk: false, openLoop: false });
  });
});

describe('runOpenLoopSearches with a fake step runner (no lab)', () => {
  const base = loadRunRecords([resolve(import.meta.dirname, 'fixtures/lab-openloop-step.json')])[0]!;
  /** A lab whose server carries `cap[option]`/s: the record of a step at `rate` achieves min(rate, cap). */
  const fakeStep =
    (cap: Record<string, number>, seen: string[]) =>
    async (i: {
      rate_rps: number;
      step_index: number;
      repeat: number;
      state: { layout: { option: string } };
    }) => {
      const option = i.state.layout.option;
      seen.push(`${option}@${i.rate_rps}`);
      const achieved = Math.min(i.rate_rps, cap[option]!);
      return {
        ...base,
        option,
        option_used: option,
        step_index: i.step_index,
        repeat: i.repeat,
        requested_rps: i.rate_rps,
        requests_sent: Math.round(i.rate_rps * base.duration_s),
        achieved_rps: achieved,
      };
    };

  /** Search options shared by the tests below; each adds what it is about. */
  const searchOptions = (dir: string, extra: Partial<Parameters<typeof runOpenLoopSearches>[0]>) =>
    ({
      options: ['net-host'],
      rates: [4000],
      repeat: 1,
      duration_s: 5,
      warmup_s: 1,
      connections: 10,
      response: 'small',
      out: dir,
      run_id: 'fake',
      generator_cpus: '0',
      nginx_cpus: [1],
      log: () => {},
      ...extra,
    }) as Parameters<typeof runOpenLoopSearches>[0];

  it('interleaves the options round-robin, writes every step as a valid record, and marks the last one final', async () => {
    const out = { records: [], paths: [], failed: [] } as Parameters<typeof runOpenLoopSearches>[3];
    const dir = mkdtempSync(join(tmpdir(), 'cnisim-olmax-'));
    const seen: string[] = [];
    const labOf = (option: string) => ({ state: { layout: { option } }, tuning: {} }) as never;
    try {
      const next = await runOpenLoopSearches(
        searchOptions(dir, { options: ['net-host', 'flannel-vxlan'], max_rate_search: { rel_tol: 0.05 } }),
        100,
        labOf,
        out,
        { runStep: fakeStep({ 'net-host': 50_000, 'flannel-vxlan': 30_000 }, seen) as never, clock: () => 0 },
      );
      expect(seen.slice(0, 4)).toEqual([
        'net-host@4000',
        'flannel-vxlan@4000',
        'net-host@8000',
        'flannel-vxlan@8000',
      ]);
      expect(out.records.map((r) => r.step_index)).toEqual(out.records.map((_, k) => 100 + k));
      expect(next).toBe(100 + out.records.length); // the index the run goes on with
      expect(readdirSync(dir).filter((f) => f.endsWith('-olmax-r0.json'))).toHaveLength(out.records.length);
      for (const option of ['net-host', 'flannel-vxlan']) {
        const mine = out.records.filter((r) => r.option === option);
        const finals = mine.filter((r) => r.max_rate_search!.final);
        expect(finals).toHaveLength(1);
        expect(mine.at(-1)!.max_rate_search!.final).toBe(true);
        const cap = option === 'net-host' ? 50_000 : 30_000;
        const max = finals[0]!.max_rate_search!.max_rate_rps!;
        // Carried means achieved >= 97 % of offered: up to cap / 0.97.
        expect(max).toBeLessThanOrEqual(cap / CARRIED_FRACTION);
        expect(finals[0]!.max_rate_search!.failing_rps!).toBeGreaterThan(cap / CARRIED_FRACTION);
        expect(max).toBeGreaterThan((cap / CARRIED_FRACTION) * 0.95 - 50);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('numbers repeats from first_repeat (a run taken in parts), in search ids, records and file names', async () => {
    const out = { records: [], paths: [], failed: [] } as Parameters<typeof runOpenLoopSearches>[3];
    const dir = mkdtempSync(join(tmpdir(), 'cnisim-olmax-'));
    try {
      await runOpenLoopSearches(
        searchOptions(dir, { first_repeat: 2, max_rate_search: { max_steps: 2 } }),
        0,
        (option: string) => ({ state: { layout: { option } }, tuning: {} }) as never,
        out,
        { runStep: fakeStep({ 'net-host': 50_000 }, []) as never, clock: () => 0 },
      );
      expect(out.records.map((r) => [r.repeat, r.max_rate_search!.search_id])).toEqual([
        [2, 'net-host-r2'],
        [2, 'net-host-r2'],
      ]);
      expect(readdirSync(dir).sort()).toEqual([
        '0000-net-host-4000rps-olmax-r2.json',
        '0001-net-host-8000rps-olmax-r2.json',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops a repeat at its time budget: no step starts that would end after it', async () => {
    const out = { records: [], paths: [], failed: [] } as Parameters<typeof runOpenLoopSearches>[3];
    const dir = mkdtempSync(join(tmpdir(), 'cnisim-olmax-'));
    let t = 0;
    const seen: string[] = [];
    const step = fakeStep({ 'net-host': 50_000 }, seen);
    try {
      await runOpenLoopSearches(
        // A step is budgeted at warm-up + window + 4 s = 10 s; the fake takes 10 s too.
        searchOptions(dir, { max_rate_search: { time_budget_s: 35 } }),
        0,
        (option: string) => ({ state: { layout: { option } }, tuning: {} }) as never,
        out,
        {
          runStep: (async (i: Parameters<typeof step>[0]) => {
            t += 10_000;
            return step(i);
          }) as never,
          clock: () => t,
        },
      );
      // After 3 steps (30 s), a fourth would end at 40 s > 35 s.
      expect(seen).toHaveLength(3);
      const last = out.records.at(-1)!.max_rate_search!;
      expect(last.final).toBe(true);
      expect(last.done_reason).toMatch(/time budget of 35 s/);
      expect(last.max_rate_rps).toBe(16_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
