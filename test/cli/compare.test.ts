import { describe, expect, it } from 'vitest';
import { cnisim } from './helpers/run-cnisim.ts';
import { parseVariant, splitHost } from '../../cli/commands/compare.ts';

/** `cnisim compare` at one point, 350 B responses, `requests` over `replications`; `more` flags after. */
const compare = (options: string, rate: string, requests: number, replications: number, ...more: string[]) =>
  cnisim(
    'compare',
    ...['--options', options, '--rate', rate, '--response-bytes', '350'],
    ...['--requests', String(requests), '--replications', String(replications), ...more],
  );

describe('cnisim compare', () => {
  it('puts vxlan above host-gw at p50 with a paired interval that excludes 0, and its extra passes in CPU', () => {
    const r = compare('flannel-host-gw,flannel-vxlan', '150k', 40000, 3, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.baseline).toBe('flannel-host-gw');
    expect(j.replications).toBe(3);
    const [base, vx] = j.results;
    const d = j.comparisons[0];
    expect(d.option).toBe('flannel-vxlan');
    // The difference is the difference of the two points' merged percentiles.
    expect(d.latency_diff_ms.p50).toBeCloseTo(vx.latency_ms.p50 - base.latency_ms.p50, 3);
    // vxlan adds an encapsulation stage on send and a third receive pass (gro_cells) per packet, so
    // every request waits longer and costs more softirq CPU: mechanism, not noise.
    expect(d.latency_diff_ms.p50).toBeGreaterThan(0);
    expect(d.differs.p50).toBe(true);
    expect(d.latency_diff_ci95_ms.p50[0]).toBeGreaterThan(0);
    expect(vx.cpu_us_per_request.server).toBeGreaterThan(base.cpu_us_per_request.server);
    // Where: the server's receive path serves each packet longer (udp_vxlan_rcv and the gro_cells
    // pass are extra stages), and the client's send path encapsulates.
    const part = (name: string) =>
      d.stage_groups_us_per_request.find((g: { stage: string }) => g.stage === name);
    expect(part('server.rx').diff_service_us).toBeGreaterThan(0);
    expect(part('client.tx').diff_service_us).toBeGreaterThan(0);
    expect(
      d.stages_us_per_request.find((s: { stage: string }) => s.stage === 'server.rx.udp_vxlan_rcv')
        .baseline_us,
    ).toBe(0);
  });

  it('prints a table per comparison with units in the column names', () => {
    const r = compare('net-host,ipvlan', '100k', 20000, 2);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^percentile\s+net-host_ms\s+ipvlan_ms\s+diff_ms\s+diff_ci95_lo_ms\s+diff_ci95_hi_ms/m,
    );
    expect(r.out).toMatch(/^cpu_us_per_request: server [0-9.]+ -> [0-9.]+/m);
    expect(r.out).toMatch(/^part\s+net-host_us\s+ipvlan_us\s+diff_us\s+diff_wait_us\s+diff_service_us/m);
    expect(r.out).toMatch(/^server\.rx\s/m);
  });

  it('compares an option with a what-if variant of itself: interrupts without moderation answer sooner', () => {
    const r = compare(
      'net-host',
      '100k',
      20000,
      2,
      '--variant',
      'no-coalescing:host.nic.coalescing=off',
      '--json',
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.baseline).toBe('net-host');
    expect(j.results[1].point).toBe('net-host+no-coalescing');
    expect(j.results[1].set).toEqual(['host.nic.coalescing=off']);
    // Adaptive moderation holds an arriving packet up to its interval; with it off the interrupt
    // fires at once, so the median request is answered sooner.
    expect(j.comparisons[0].latency_diff_ms.p50).toBeLessThan(0);
  });

  it('runs a host= variant on another host: vxlan without RPS on a 4-queue host waits longer', () => {
    const r = compare(
      'flannel-vxlan',
      '100k',
      20000,
      2,
      '--variant',
      '16vcpu:host=examples/hosts/16-vcpu-4-queues.yaml',
      '--json',
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.results.map((x: { host: string }) => x.host)).toEqual(['c4.8xlarge', '16-vcpu-4-queues']);
    expect(j.results[1].set).toEqual(['host=examples/hosts/16-vcpu-4-queues.yaml']);
    // There RPS and RFS are off: each packet's three receive passes queue on one of 4 IRQ CPUs
    // (each ~60 % busy in softirq) instead of spreading over the 16 RPS CPUs: mechanism, not noise.
    expect(j.comparisons[0].latency_diff_ci95_ms.p50[0]).toBeGreaterThan(0);
    expect(splitHost({ name: 'v', set: ['host = netns-lab', 'wire.propagation_ns=1'] })).toEqual({
      host: 'netns-lab',
      set: ['wire.propagation_ns=1'],
    });
    expect(() => splitHost({ name: 'v', set: ['host=a', 'host=b'] })).toThrow(/names host= twice/);
  });

  it('parses variants and refuses malformed ones', () => {
    expect(parseVariant('rps:host.mechanisms.rfs=false; host.rps_cpus=0-8,10-17')).toEqual({
      name: 'rps',
      set: ['host.mechanisms.rfs=false', 'host.rps_cpus=0-8,10-17'],
    });
    expect(() => parseVariant('host.nic.coalescing=off')).toThrow(
      /--variant: expected <name>:<path>=<value>/,
    );
    expect(() => parseVariant('x:nothing')).toThrow(/--variant/);
    // A path set twice: the last value silently won (diffs all 0 for off;adaptive).
    expect(() => parseVariant('x:host.nic.coalescing=off;host.nic.coalescing=adaptive')).toThrow(
      /sets host\.nic\.coalescing twice/,
    );
  });

  it('refuses one option, a repeated option and a single replication (exit 3, naming the flag)', () => {
    const base = ['compare', '--rate', '100k', '--response-bytes', '350'];
    const one = cnisim(...base, '--options', 'net-host');
    expect(one.code).toBe(3);
    expect(one.err).toMatch(/--options: name two or more different options/);
    expect(cnisim(...base, '--options', 'net-host,net-host').code).toBe(3);
    const rep = cnisim(...base, '--options', 'net-host,ipvlan', '--replications', '1');
    expect(rep.code).toBe(3);
    expect(rep.err).toMatch(/--replications: a paired comparison needs at least 2/);
  });
});

describe('a variant that changes nothing', () => {
  it('is named by its variant in the warning, with what to add to it', () => {
    const r = cnisim(
      'compare',
      '--options',
      'net-host',
      '--variant',
      'b:host.nic.rx_usecs=50',
      '--rate',
      '50k',
      '--response-bytes',
      '350',
      '--requests',
      '8000',
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(
      /--variant b: host\.nic\.rx_usecs=50 changes nothing: .*: add host\.nic\.coalescing=fixed/,
    );
    expect(JSON.parse(r.out).warnings.join('\n')).toMatch(
      /--variant b: host\.nic\.rx_usecs=50 changes nothing/,
    );
  });
});

describe('a variant that is the baseline itself', () => {
  it('is warned about (its overrides set what is there already), and one beside a change is not', () => {
    const r = cnisim(
      'compare',
      '--options',
      'net-host',
      '--variant',
      'same:host.nic.rx_usecs=10;host.rps_cpus=1-8,10-17', // c4.8xlarge: 10 us, 00000000,0003fdfe
      '--variant',
      'fixed:host.nic.coalescing=fixed;host.nic.rx_usecs=10',
      '--variant',
      'host:host=c4.8xlarge', // the baseline's host
      '--set',
      'host.mechanisms.rfs=true',
      '--rate',
      '50k',
      '--response-bytes',
      '350',
      '--requests',
      '8000',
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    const w: string[] = JSON.parse(r.out).warnings;
    expect(w).toContain(
      '--variant same: host.nic.rx_usecs=10;host.rps_cpus=1-8,10-17 change nothing together: the scenario is the same as without them (each sets what is there already, or a later one undoes an earlier one)',
    );
    expect(w).toContain(
      '--set host.mechanisms.rfs=true changes nothing: host.mechanisms.rfs is that already',
    );
    expect(w.join('\n')).not.toMatch(/--variant fixed/);
    expect(w).toContain(
      "--variant host changes nothing: its scenario is the baseline's (the same host and settings)",
    );
    // The identical variant simulated the baseline: the same latencies (common random numbers).
    const res = JSON.parse(r.out).results;
    expect(res[1].latency_ms).toEqual(res[0].latency_ms);
  });
});
