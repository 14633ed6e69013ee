/** The commands of this area, run as a user would (node bin/cnisim.mjs ...). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cnisim } from '../../cli/helpers/run-cnisim.ts';

describe('cnisim options / hosts / schema', () => {
  it('lists the built-ins one per line', () => {
    const o = cnisim('options');
    expect(o.code).toBe(0);
    expect(o.out.trim().split('\n')).toHaveLength(7); // header + 6 options
    expect(o.out).toMatch(/^flannel-vxlan\s+1450\s+3\s/m);
    const h = cnisim('hosts');
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/^c4\.8xlarge\s+36\s+2\s+10\s/m);
  });
  it('prints JSON Schemas generated from the zod schemas', () => {
    const s = cnisim('schema', 'option');
    expect(s.code).toBe(0);
    const schema = JSON.parse(s.out) as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toContain('stages');
    expect(schema.required).toContain('mtu');
  });
});

describe('cnisim simulate', () => {
  it('prints a SimResult with --json', () => {
    const r = cnisim(
      'simulate',
      '--option',
      'net-host',
      '--rate',
      '50k',
      '--response-bytes',
      '350',
      '--requests',
      '4000',
      '--replications',
      '1',
      '--workers',
      '0',
      '--json',
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    for (const k of [
      'option',
      'host',
      'rate_rps',
      'achieved_rps',
      'response_bytes',
      'saturated',
      'bottleneck',
      'latency_ms',
      'latency_ci95_ms',
      'drops',
      'retransmits',
      'cpu',
      'stages',
      'seed',
      'requests',
    ])
      expect(j).toHaveProperty(k);
    expect(j.rate_rps).toBe(50000);
  });
  it('rejects bad input in one line naming field and value, exit 3', () => {
    const cases: [string[], RegExp][] = [
      [
        ['--option', 'nope', '--rate', '1000', '--response-bytes', '350'],
        /option: unknown network option .*"nope"/,
      ],
      [['--option', 'net-host', '--rate', '0', '--response-bytes', '350'], /--rate: must be greater than 0/],
      [
        ['--option', 'net-host', '--rate', '1000', '--response-bytes', '350', '--workers', '1.5'],
        /--workers: must be a whole number, 0 or more \(got "1.5"\)/,
      ],
      [
        ['--option', 'net-host', '--rate', '1000', '--response-bytes', '350', '--set', 'host.rps_cpus=0-40'],
        /host\.rps_cpus: names CPU 36.*"0-40"/,
      ],
    ];
    for (const [args, re] of cases) {
      const r = cnisim('simulate', ...args);
      expect(r.code, args.join(' ')).toBe(3);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(re);
      expect(r.err).not.toMatch(/at .*\.ts:\d+/);
    }
  });
  it('refuses --requests with --duration-s (one would be ignored): usage error, exit 2', () => {
    const r = cnisim(
      'simulate',
      ...['--option', 'net-host', '--rate', '1000', '--response-bytes', '350', '--requests', '5000'],
      ...['--duration-s', '1'],
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--requests and --duration-s are alternatives/);
  });
});

describe('cnisim sweep', () => {
  it('prints a JSON array of simulate results, one per option x rate x size', () => {
    const r = cnisim(
      'sweep',
      '--options',
      'net-host,flannel-vxlan',
      '--rates',
      '20000:40000:20000',
      '--response-bytes',
      '350',
      '--requests',
      '3000',
      '--replications',
      '1',
      '--workers',
      '1',
      '--json',
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { option: string; rate_rps: number; latency_ms: { p99: number } }[];
    expect(j.map((x) => `${x.option}@${x.rate_rps}`)).toEqual([
      'net-host@20000',
      'net-host@40000',
      'flannel-vxlan@20000',
      'flannel-vxlan@40000',
    ]);
    for (const x of j) expect(x.latency_ms.p99).toBeGreaterThan(0);
    expect(r.err).toMatch(/sweep: 4\/4/);
  });
});

describe('cnisim capacity', () => {
  it('bisects the rate and prints {option, slo, max_rate_rps, ci95_rps}, and the hosts a target load needs', () => {
    const r = cnisim(
      'capacity',
      '--option',
      'flannel-vxlan',
      '--response-bytes',
      '350',
      '--slo',
      'p99=2ms',
      '--min-rate',
      '100000',
      '--max-rate',
      '600000',
      '--steps',
      '3',
      '--requests',
      '30000',
      '--replications',
      '1',
      '--workers',
      '0',
      '--target-rps',
      '2M',
      '--json',
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.option).toBe('flannel-vxlan');
    // Hosts for 2M RPS in total, each carrying at most the capacity; the CI from the capacity CI's ends.
    expect(j.target_rps).toBe(2_000_000);
    expect(j.hosts_needed).toBe(Math.ceil(2_000_000 / j.max_rate_rps));
    expect(j.hosts_needed_ci95).toEqual([
      Math.ceil(2_000_000 / j.ci95_rps[1]),
      Math.ceil(2_000_000 / j.ci95_rps[0]),
    ]);
    expect(j.slo).toBe('p99=2ms');
    // vxlan saturates on the server softirq between 350k and 450k RPS with the default costs.
    expect(j.max_rate_rps).toBeGreaterThan(250000);
    expect(j.max_rate_rps).toBeLessThan(480000);
    expect(j.ci95_rps[0]).toBeLessThanOrEqual(j.max_rate_rps);
    expect(j.ci95_rps[1]).toBeGreaterThanOrEqual(j.max_rate_rps);
  });

  it('refuses a target load of zero before simulating (exit 3, naming the flag)', () => {
    const r = cnisim(
      'capacity',
      '--option',
      'net-host',
      '--response-bytes',
      '350',
      '--slo',
      'p99=2ms',
      '--target-rps',
      '0',
    );
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/--target-rps: must be greater than 0/);
  });
});

describe('--scenario gives the point', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnisim-scenario-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'vxlan-4k.yaml');
  writeFileSync(
    file,
    'option: flannel-vxlan\nworkload:\n  rate_rps: 20000\n  response_bytes: 4096\nset:\n  - host.nic.rx_usecs=0\n',
  );

  it('simulate takes the option, rate and size from it, warns of its inert overrides, and says what is missing', () => {
    const r = cnisim('simulate', '--scenario', file, '--requests', '3000', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as {
      option: string;
      rate_rps: number;
      response_bytes: number;
      warnings: string[];
    };
    expect([j.option, j.rate_rps, j.response_bytes]).toEqual(['flannel-vxlan', 20000, 4096]);
    expect(j.warnings.join('\n')).toMatch(/--set host\.nic\.rx_usecs=0 changes nothing/);
    // A flag overrides it.
    const f = cnisim('simulate', '--scenario', file, '--rate', '10000', '--requests', '3000', '--json');
    expect((JSON.parse(f.out) as { rate_rps: number }).rate_rps).toBe(10000);
    const none = cnisim('simulate', '--option', 'net-host');
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/required: --rate, --response-bytes \(or a --scenario that sets them\)/);
  });

  it('sweep takes its option and size when --options and --response-bytes are not given', () => {
    const r = cnisim('sweep', '--scenario', file, '--rates', '20000', '--requests', '3000', '--json');
    expect(r.code, r.err).toBe(0);
    const js = JSON.parse(r.out) as { option: string; response_bytes: number }[];
    expect(js.map((x) => [x.option, x.response_bytes])).toEqual([['flannel-vxlan', 4096]]);
  });
});

describe('cnisim capacity at --max-rate', () => {
  it('says the capacity is a lower bound, with no resolution, when the SLO holds at every rate tried', () => {
    const args = ['--option', 'net-host', '--response-bytes', '350', '--slo', 'p99=5ms'];
    const bounds = ['--min-rate', '10k', '--max-rate', '50k', '--requests', '5000'];
    const j = cnisim('capacity', ...args, ...bounds, '--json');
    expect(j.code, j.err).toBe(0);
    expect(Array.isArray(JSON.parse(j.out).warnings)).toBe(true);
    expect(JSON.parse(j.out)).toMatchObject({
      host: 'c4.8xlarge',
      response_bytes: 350,
      max_rate_rps: 50000,
      at_upper_bound: true,
      resolution_rps: null,
      slo_terms: [{ percentile: 'p99', limit_ms: 5 }],
      limited_by: null,
    });
    const t = cnisim('capacity', ...args, ...bounds);
    expect(t.out).toMatch(
      /met at every rate tried, up to --max-rate 50000 RPS: the capacity is at least that/,
    );
  });

  it('answers an SLO not met even at --min-rate (capacity below it), with JSON, exit 0', () => {
    // p99 <= 0.5 ms: the unloaded p99 is above 0.6 ms on c4.8xlarge, so no rate meets it.
    const args = ['--option', 'flannel-host-gw', '--response-bytes', '350', '--slo', 'p99=0.5ms'];
    const r = cnisim(
      'capacity',
      ...args,
      '--requests',
      '2000',
      '--replications',
      '2',
      '--steps',
      '2',
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      max_rate_rps: null,
      below_lower_bound: true,
      min_rate_rps: 10000,
      limited_by: ['p99'],
    });
  });

  it('takes an SLO of several terms, all to be met, and names the one that fails', () => {
    // p50 <= 0.2 ms fails at every rate (the unloaded p50 is above 0.3 ms on c4.8xlarge); p99 <= 5 ms
    // holds at 10k: the SLO is not met at --min-rate, limited by p50 alone.
    const slo = 'p99=5ms,p50=0.2ms';
    const args = ['--option', 'net-host', '--response-bytes', '350', '--slo', slo, '--requests', '5000'];
    const r = cnisim('capacity', ...args, '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      slo,
      slo_terms: [
        { percentile: 'p99', limit_ms: 5 },
        { percentile: 'p50', limit_ms: 0.2 },
      ],
      below_lower_bound: true,
      limited_by: ['p50'],
    });
    expect(cnisim('capacity', ...args).out).toMatch(
      /not met even at --min-rate 10000 RPS \(limited by p50\)/,
    );
    const twice = cnisim('capacity', ...args.slice(0, 5), 'p99=2ms,p99=1ms');
    expect(twice.code).toBe(3);
    expect(twice.err).toMatch(/--slo: .*p99 is given twice/);
  });
});
