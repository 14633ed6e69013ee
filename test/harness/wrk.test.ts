import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { interleaveSteps, runOrder } from '../../harness/lab-run.ts';
import { buildWrkCommand, parseWrkOutput, WrkParseError } from '../../harness/wrk.ts';

const fx = (n: string) => readFileSync(join(import.meta.dirname, 'fixtures', 'wrk', n), 'utf8');

describe('wrk output', () => {
  it('parses a real lab run (wrk 4.1.0, verbatim)', () => {
    const w = parseWrkOutput(fx('lab-net-host-4.1.0.txt'));
    expect(w).toMatchObject({
      threads: 1,
      connections: 10,
      requests: 22236,
      duration_s: 2.02,
      requests_per_s: 11034.43,
    });
    expect(w.latency_ms).toEqual({ p50: 0.281, p90: 7.83, p99: 43.4, max: 64.32 });
    expect(w.latency_mean_ms).toBe(3.45);
    expect(w.socket_errors + w.non_2xx_3xx).toBe(0);
  });
  it('counts socket errors and non-2xx responses; seconds convert to ms', () => {
    const w = parseWrkOutput(fx('constructed-errors.txt'));
    expect(w.socket_errors).toBe(8);
    expect(w.non_2xx_3xx).toBe(12);
    expect(w.latency_ms.max).toBe(1130);
  });
  it('rejects a cut-off log, naming what is missing', () => {
    const text = fx('lab-net-host-4.1.0.txt');
    expect(() => parseWrkOutput(text.slice(0, text.indexOf('Requests/sec')))).toThrow(WrkParseError);
    expect(() => parseWrkOutput(text.slice(0, text.indexOf('Requests/sec')))).toThrow(
      /"Requests\/sec:" line/,
    );
    expect(() => parseWrkOutput(text.replace(/ {2}Latency Distribution[\s\S]*?99%.*\n/, ''))).toThrow(
      /Latency Distribution/,
    );
  });
  it('builds the command', () => {
    expect(
      buildWrkCommand({
        url: 'http://10.244.2.2/r350',
        threads: 1,
        connections: 10,
        duration_s: 3,
        cpus: '0',
      }),
    ).toEqual(['taskset', '-c', '0', 'wrk', '-t1', '-c10', '-d3s', '--latency', 'http://10.244.2.2/r350']);
  });
});

describe('interleaveSteps', () => {
  it('rotates the options on every repeat and appends a max-rate (wrk) step per rate cycle', () => {
    const s = interleaveSteps(['net-host', 'flannel-vxlan'], [1000, 2000], 2, true);
    expect(s.map((x) => `${x.option}@${x.rate_rps ?? 'max'}#${x.repeat}`)).toEqual([
      'net-host@1000#0',
      'flannel-vxlan@1000#0',
      'net-host@2000#0',
      'flannel-vxlan@2000#0',
      'net-host@max#0',
      'flannel-vxlan@max#0',
      'flannel-vxlan@1000#1',
      'net-host@1000#1',
      'flannel-vxlan@2000#1',
      'net-host@2000#1',
      'flannel-vxlan@max#1',
      'net-host@max#1',
    ]);
    expect(s.map((x) => x.index)).toEqual([...s.keys()]);
  });
});

describe('runOrder', () => {
  const steps = interleaveSteps(['net-host', 'flannel-vxlan'], [1000, 2000], 3, true);
  const show = (items: ReturnType<typeof runOrder>) =>
    items.map((i) =>
      i.kind === 'step'
        ? `${i.step.option}@${i.step.rate_rps ?? 'max'}#${i.step.repeat}`
        : `searches#${i.repeat}`,
    );

  it("by-repeat: each repeat's steps, then that repeat's searches, every step once", () => {
    const items = runOrder(steps, 3, true, 'by-repeat');
    const shown = show(items);
    expect(shown.filter((x) => x.startsWith('searches'))).toEqual(['searches#0', 'searches#1', 'searches#2']);
    // The searches of repeat r come right after the last step of repeat r and before any of r + 1.
    for (const r of [0, 1, 2]) {
      const at = shown.indexOf(`searches#${r}`);
      expect(shown.slice(0, at).filter((x) => x.endsWith(`#${r}`) && !x.startsWith('searches'))).toHaveLength(
        6,
      );
      expect(shown.slice(at + 1).some((x) => x.endsWith(`#${r}`))).toBe(false);
    }
    const ran = items.flatMap((i) => (i.kind === 'step' ? [i.step] : []));
    expect(ran).toEqual(steps); // the planned steps, in their planned order
  });

  it('phases: every step first, then the searches, as runs were made before 27 Nov 2026', () => {
    expect(show(runOrder(steps, 3, true, 'phases'))).toEqual([
      ...show(steps.map((step) => ({ kind: 'step' as const, step }))),
      'searches#0',
      'searches#1',
      'searches#2',
    ]);
  });

  it('searchRepeats: searches after the first n repeats only, every step still once', () => {
    for (const order of ['by-repeat', 'phases'] as const) {
      const items = runOrder(steps, 3, true, order, 2);
      expect(show(items).filter((x) => x.startsWith('searches'))).toEqual(['searches#0', 'searches#1']);
      expect(items.flatMap((i) => (i.kind === 'step' ? [i.step] : []))).toEqual(steps);
    }
  });

  it('without searches both orders are the planned steps', () => {
    for (const order of ['by-repeat', 'phases'] as const)
      expect(runOrder(steps, 3, false, order).map((i) => (i.kind === 'step' ? i.step : null))).toEqual(steps);
  });
});
