import { describe, expect, it } from 'vitest';
import { inputError } from './helpers/input-error.ts';
import { normalize } from '../../model/compile/normalize.ts';
import { applySet, parseSetValue } from '../../model/compile/set.ts';
import { builtinHostIds, builtinOptionIds, loadHost, loadOption } from '../../model/load.ts';

const base = { option: 'net-host', workload: { rate_rps: 150000, response_bytes: 350 } };

describe('built-in data', () => {
  it('has the six options and two hosts, all valid', () => {
    expect(builtinOptionIds()).toEqual([
      'net-host',
      'ipvlan',
      'flannel-host-gw',
      'flannel-aws-vpc',
      'flannel-vxlan',
      'macvlan',
    ]);
    expect(builtinHostIds()).toEqual(['c4.8xlarge', 'netns-lab']);
    for (const id of builtinOptionIds()) expect(loadOption(id).id).toBe(id);
    for (const id of builtinHostIds()) expect(loadHost(id).id).toBe(id);
  });
  it('gives the receive passes the kernel has: ipvlan 1, bridges 2, vxlan 3', () => {
    const passes = (id: string) =>
      loadOption(id).stages.rx.filter((s) => s.handoff !== 'none' && s.handoff !== 'nic').length;
    expect(passes('net-host')).toBe(1);
    expect(passes('ipvlan')).toBe(1);
    expect(passes('flannel-host-gw')).toBe(2);
    expect(passes('flannel-aws-vpc')).toBe(2);
    expect(passes('flannel-vxlan')).toBe(3);
    for (const id of builtinOptionIds()) expect(passes(id)).toBe(loadOption(id).rx_passes);
    // rx_passes is checked against the stages: a file that disagrees is refused, naming the field.
    const bad = inputError(() =>
      normalize({ ...base, option: 'flannel-vxlan', set: ['option.rx_passes=2'] }),
    );
    expect(bad.field).toBe('option.rx_passes');
    expect(bad.reason).toMatch(/make 3 receive pass/);
    expect(loadOption('flannel-vxlan').encap_bytes).toBe(50);
    expect(loadOption('flannel-vxlan').mtu).toBe(1450);
  });
  it('carries a source for every stage', () => {
    for (const id of builtinOptionIds())
      for (const s of [...loadOption(id).stages.tx, ...loadOption(id).stages.rx])
        expect(s.source.length).toBeGreaterThan(10);
  });
});

describe('normalize', () => {
  it('merges workload defaults from the host profile and freezes the result', () => {
    const s = normalize(base);
    expect(s.workload.connections).toBe(60000);
    expect(s.workload.request_bytes).toBe(37);
    expect(s.wire.line_rate_gbps).toBe(10);
    expect(Object.isFrozen(s.host.nic)).toBe(true);
  });
  it('names the field and value of bad input', () => {
    expect(inputError(() => normalize({ ...base, option: 'nope' })).field).toBe('option');
    expect(inputError(() => normalize({ ...base, host: 'nope' })).field).toBe('host');
    const e = inputError(() => normalize({ ...base, workload: { rate_rps: 0, response_bytes: 350 } }));
    expect(e.field).toBe('workload.rate_rps');
    expect(e.value).toBe(0);
  });
});

describe('--set', () => {
  it('parses numbers, booleans and keeps masks as strings', () => {
    expect(parseSetValue('0')).toBe(0);
    expect(parseSetValue('false')).toBe(false);
    expect(parseSetValue('0-17')).toBe('0-17');
    expect(parseSetValue('00000000,0003fdfe')).toBe('00000000,0003fdfe');
  });
  it('overrides host, wire and stage parameters by path', () => {
    const s = normalize(base);
    expect(applySet(s, 'host.nic.rx_usecs=0').host.nic.rx_usecs).toBe(0);
    expect(applySet(s, 'host.rps_cpus=0-17').host.rps_cpus).toBe('0-17');
    // A string parameter takes the value as written: CPU 0 and the hex mask 00000003, not numbers.
    expect(applySet(s, 'host.rps_cpus=0').host.rps_cpus).toBe('0');
    expect(applySet(s, 'host.rps_cpus=00000003').host.rps_cpus).toBe('00000003');
    expect(applySet(s, 'wire.propagation_ns=5000').wire.propagation_ns).toBe(5000);
    const t = applySet(s, 'option.stages.ip_tcp_rcv.cost_ns_per_packet=123');
    expect(t.option.stages.rx.find((x) => x.name === 'ip_tcp_rcv')!.cost_ns_per_packet).toBe(123);
    expect(s.option.stages.rx.find((x) => x.name === 'ip_tcp_rcv')!.cost_ns_per_packet).toBe(4000);
  });
  it('rejects unknown paths, negative costs and masks naming missing CPUs', () => {
    expect(inputError(() => applySet(normalize(base), 'host.nic.nope=1')).field).toBe('host.nic.nope');
    // The host profile's wire and request defaults are copied into the scenario before overrides:
    // their host paths would change nothing, so the error names the path the model reads.
    const wire = inputError(() => applySet(normalize(base), 'host.wire.propagation_ns=5000'));
    expect(wire.message).toMatch(/^host.wire.propagation_ns: .*: set wire.propagation_ns/);
    expect(inputError(() => applySet(normalize(base), 'host.apps.tcpkali.request_bytes=74')).message).toMatch(
      /set workload.request_bytes/,
    );
    expect(applySet(normalize(base), 'workload.request_bytes=74').workload.request_bytes).toBe(74);
    // The rate and response size are the request's flags, which label the result: not overridable.
    expect(inputError(() => applySet(normalize(base), 'workload.rate_rps=5')).message).toMatch(
      /^workload.rate_rps: given by --rate, .*use --rate/,
    );
    expect(inputError(() => applySet(normalize(base), 'workload.response_bytes=1000000')).message).toMatch(
      /use --response-bytes/,
    );
    // An MTU must leave a segment room for data past the TCP/IP headers (52 B here), and be one IPv4 allows.
    for (const mtu of [1, 40, 52, 100000])
      expect(inputError(() => applySet(normalize(base), `option.mtu=${mtu}`)).field).toBe('option.mtu');
    const headers = inputError(() =>
      normalize({ ...base, set: ['host.tcp.header_bytes=100', 'option.mtu=90'] }),
    );
    expect(headers.message).toMatch(/^option.mtu: must exceed the 100 B of TCP\/IP headers/);
    const neg = inputError(() =>
      normalize({ ...base, set: ['option.stages.nic_poll.cost_ns_per_packet=-5'] }),
    );
    expect(neg.field).toBe('option.stages.nic_poll.cost_ns_per_packet');
    expect(neg.value).toBe(-5);
    const mask = inputError(() => normalize({ ...base, set: ['host.rps_cpus=0-40'] }));
    expect(mask.field).toBe('host.rps_cpus');
    expect(mask.message).toMatch(/CPU 36/);
    // A list parameter given as plain text: the error shows the JSON form with its current value.
    const list = inputError(() => applySet(normalize(base), 'host.xps_cpus=0,9'));
    expect(list.field).toBe('host.xps_cpus');
    expect(list.message).toContain(`'host.xps_cpus=["00000000,07fc01ff","0000000f,f803fe00"]'`);
    expect(applySet(normalize(base), 'host.xps_cpus=["0","9"]').host.xps_cpus).toEqual(['0', '9']);
    expect(applySet(normalize(base), 'host.xps_cpus.1=9').host.xps_cpus).toEqual(['00000000,07fc01ff', '9']);
  });
});
