import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTcpkaliCommand, tcpkaliEscape } from '../../harness/tcpkali/command.ts';
import { parseTcpkaliSummary, TcpkaliParseError } from '../../harness/tcpkali/parse.ts';
import { detectTcpkali } from '../../harness/tcpkali/run.ts';

const fx = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', 'tcpkali', name), 'utf8');

describe('parseTcpkaliSummary on the verbatim samples (reference D1-D6)', () => {
  it('D1 (1.0, no " ms"): bytes, bandwidth, packet rate and default percentiles', () => {
    const s = parseTcpkaliSummary(fx('d1-1.0-issue38.txt'));
    expect(s.format).toBe('0.8-1.0');
    expect(s.sent_bytes).toBe(30009173);
    expect(s.received_bytes).toBe(18005609);
    expect(s.bandwidth_per_channel_mbps).toBe(0.128);
    expect([s.aggregate_in_mbps, s.aggregate_out_mbps]).toEqual([2.401, 4.001]);
    expect([s.packet_rate_in, s.packet_rate_out]).toEqual([48796.8, 44670.8]);
    expect(s.latencies).toHaveLength(1);
    expect(s.latencies[0]?.kind).toBe('message');
    expect(s.latencies[0]?.percentiles_ms).toEqual({ p95: 0, p99: 0.2, p99_5: 0.4 });
    expect(s.duration_s).toBe(60.002);
  });

  it('D2 (1.1+): connect and message latency, 100 % mapped to max', () => {
    const s = parseTcpkaliSummary(fx('d2-1.1-issue53.txt'));
    expect(s.format).toBe('1.1+');
    expect(s.received_bytes).toBe(203003);
    expect(s.latencies.map((l) => l.kind)).toEqual(['connect', 'message']);
    expect(s.latencies[0]?.percentiles_ms).toEqual({ p50: 0.1, max: 495.1 });
    expect(s.latencies[1]?.percentiles_ms).toEqual({ p50: 1391.1, max: 12428.7 });
    expect(s.duration_s).toBe(20.0112);
  });

  it('D3 (1.1+): overloaded run', () => {
    const s = parseTcpkaliSummary(fx('d3-1.1-n2o.txt'));
    expect(s.format).toBe('1.1+');
    expect(s.latencies[0]?.points.map((p) => p.label)).toEqual(['95', '99', '99.5']);
    expect(s.latencies[0]?.percentiles_ms.p99_5).toBe(5375.9);
  });

  it('D4 and D5: no latency line (format 0.8 or later), segs/op kept out of the rates', () => {
    const d4 = parseTcpkaliSummary(fx('d4-rate-no-latency.txt'));
    expect(d4.format).toBe('0.8+');
    expect(d4.latencies).toEqual([]);
    expect(d4.sent_bytes).toBe(10011192);
    const d5 = parseTcpkaliSummary(fx('d5-unlimited.txt'));
    expect(d5.packet_rate_out).toBe(13340.6);
    expect(d5.duration_s).toBe(10.01);
  });

  it('D6: "#"-prefixed log with a trailing rate-search line', () => {
    const s = parseTcpkaliSummary(fx('d6-1.1-hash-prefixed.txt'));
    expect(s.format).toBe('1.1+');
    expect(s.latencies[0]?.percentiles_ms).toEqual({ p95: 171, p99: 471.5, p99_5: 521.1 });
    expect(s.duration_s).toBe(132.681);
    expect(s.raw.startsWith('Total data sent:')).toBe(true);
  });
});

describe('parseTcpkaliSummary on the 0.7 and 0.8 layouts (constructed from reference A2, not verbatim)', () => {
  it('0.7: kind-less latency line plus mean/max', () => {
    const s = parseTcpkaliSummary(fx('synthetic-0.7-format.txt'));
    expect(s.format).toBe('0.7');
    expect(s.latencies[0]?.percentiles_ms).toEqual({ p95: 0.3, p99: 0.9, p99_5: 1.4 });
    expect([s.latency_mean_ms, s.latency_max_ms]).toEqual([0.2, 12.8]);
    expect(s.packet_rate_in).toBeUndefined();
  });
  it('0.8: labels printed with one decimal map to the same keys', () => {
    const s = parseTcpkaliSummary(fx('synthetic-0.8-format.txt'));
    expect(s.format).toBe('0.8-1.0');
    expect(s.latencies[0]?.percentiles_ms).toEqual({ p95: 0.3, p99: 0.9, p99_5: 1.4 });
  });
});

describe('parseTcpkaliSummary rejects anything else', () => {
  it('a log cut off in the middle of the summary', () => {
    expect(() => parseTcpkaliSummary(fx('cut-off-d3.txt'), 'cut.log')).toThrow(/cut\.log:9: .*cut off/);
  });
  it('a missing line inside the summary', () => {
    const text = fx('d3-1.1-n2o.txt').replace(/^Aggregate bandwidth:.*\n/m, '');
    expect(() => parseTcpkaliSummary(text)).toThrow(/expected "Aggregate bandwidth/);
  });
  it('an unknown line inside the summary', () => {
    const text = fx('d3-1.1-n2o.txt').replace('Test duration', 'Something else: 1\nTest duration');
    expect(() => parseTcpkaliSummary(text)).toThrow(TcpkaliParseError);
  });
  it('values and labels that disagree', () => {
    const text = fx('d3-1.1-n2o.txt').replace('5043.1/5327.9/5375.9 ms', '5043.1/5327.9 ms');
    expect(() => parseTcpkaliSummary(text)).toThrow(/2 values for 3 percentiles/);
  });
  it('not tcpkali output at all', () => {
    expect(() => parseTcpkaliSummary('Running 10s test @ http://x\n')).toThrow(/no "Total data sent:"/);
  });
  it('0.8+ output without its packet-rate line', () => {
    const text = fx('d3-1.1-n2o.txt').replace(/^Packet rate estimate:.*\n/m, '');
    expect(() => parseTcpkaliSummary(text)).toThrow(/Packet rate estimate/);
  });
});

describe('buildTcpkaliCommand', () => {
  const request = 'GET /r350 HTTP/1.1\r\nHost: pod\r\n\r\n';
  it('divides the total rate over connections and builds the full argv', () => {
    const c = buildTcpkaliCommand({
      target: '10.244.1.2:80',
      connections: 300,
      total_rps: 150000,
      duration_s: 30,
      request,
      workers: 18,
      write_combine: false,
      taskset_cpus: '18-35',
    });
    expect(c.per_connection_rps).toBe(500);
    expect(c.argv).toEqual([
      'taskset',
      '-c',
      '18-35',
      'tcpkali',
      '-c',
      '300',
      '-w',
      '18',
      '--connect-rate',
      '300',
      '-r',
      '500',
      '-T',
      '30s',
      '-em',
      'GET /r350 HTTP/1.1\\r\\nHost: pod\\r\\n\\r\\n',
      '--latency-marker',
      'HTTP/1.1',
      '--latency-percentiles',
      '50,90,95,99,99.5,99.9,99.99,99.999',
      '--write-combine=off',
      '10.244.1.2:80',
    ]);
    expect(c.command_line).toContain(`-em 'GET /r350 HTTP/1.1\\r\\nHost: pod\\r\\n\\r\\n'`);
  });
  it('keeps fractional per-connection rates exact to 6 decimals', () => {
    const c = buildTcpkaliCommand({
      target: 'h:80',
      connections: 3,
      total_rps: 1000,
      duration_s: 1,
      request,
      write_combine: true,
    });
    expect(c.argv[c.argv.indexOf('-r') + 1]).toBe('333.333333');
    expect(c.argv).toContain('--write-combine=on');
  });
  it('rejects a bad target, rate and request with the field named', () => {
    const base = {
      target: 'h:80',
      connections: 1,
      total_rps: 1,
      duration_s: 1,
      request,
      write_combine: true,
    };
    expect(() => buildTcpkaliCommand({ ...base, target: 'nohost' })).toThrow(/target: must be host:port/);
    expect(() => buildTcpkaliCommand({ ...base, total_rps: 0 })).toThrow(/rate:/);
    expect(() => buildTcpkaliCommand({ ...base, request: 'GET /' })).toThrow(/request:/);
  });
  it('escapes control characters and backslashes for -e', () => {
    expect(tcpkaliEscape('a\\b\x01\r\n')).toBe('a\\\\b\\x01\\r\\n');
  });
});

describe('detectTcpkali', () => {
  it('says clearly when the binary is absent', () => {
    const d = detectTcpkali('cnisim-no-such-tcpkali');
    expect(d.found).toBe(false);
    if (!d.found) expect(d.reason).toMatch(/not installed.*not packaged in Debian/);
  });
});
