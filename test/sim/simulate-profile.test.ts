/**
 * A fitted profile (calibration/fitted-profile.ts) reaches the simulator: shared `params` apply to
 * every option, `option_params[<id>]` only to that option and after the shared ones, and the
 * request's own --set comes last.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scenarioOf, simulate } from '../../sim/simulate.ts';

function profileFile(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cnisim-profile-')), 'fitted.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

/** A profile whose propagation is 30 us at 4000/s and 12 us at 32000/s (model/param-by-rate.ts). */
const byRateProfile = () =>
  profileFile({
    host: 'c4.8xlarge',
    params: {
      'wire.propagation_ns': {
        value: 30_000,
        by_rate: { rates_rps: [4000, 32000], values: [30_000, 12_000] },
      },
    },
  });

describe('simulate --profile', () => {
  const profile = profileFile({
    host: 'c4.8xlarge',
    params: { 'wire.propagation_ns': { value: 12345 }, 'host.nic.ring_size': { value: 256 } },
    option_params: {
      'flannel-vxlan': { 'host.nic.ring_size': { value: 300, sd: 10 } },
      ipvlan: { 'wire.propagation_ns': { value: 999 } },
    },
  });

  it('applies shared params to every option and option_params only to their option', () => {
    const vx = scenarioOf({ option: 'flannel-vxlan', rate_rps: 1000, response_bytes: 350, profile });
    expect(vx.wire.propagation_ns).toBe(12345);
    expect(vx.host.nic.ring_size).toBe(300);
    const nh = scenarioOf({ option: 'net-host', rate_rps: 1000, response_bytes: 350, profile });
    expect(nh.wire.propagation_ns).toBe(12345);
    expect(nh.host.nic.ring_size).toBe(256);
  });

  it('lets the request --set override the profile', () => {
    const s = scenarioOf({
      option: 'flannel-vxlan',
      rate_rps: 1000,
      response_bytes: 350,
      profile,
      set: ['host.nic.ring_size=64'],
    });
    expect(s.host.nic.ring_size).toBe(64);
  });

  it('takes a by_rate value at the simulated rate, linear in log(rate) (model/param-by-rate.ts)', () => {
    const f = byRateProfile();
    const at = (rate_rps: number) =>
      scenarioOf({ option: 'net-host', rate_rps, response_bytes: 350, profile: f }).wire.propagation_ns;
    expect(at(4000)).toBe(30_000);
    expect(at(16000)).toBe(18_000);
    expect(at(32000)).toBe(12_000);
  });

  it('warns when a by_rate value is extrapolated by more than a doubling, not within', async () => {
    const f = byRateProfile();
    const run = (rate_rps: number) =>
      simulate({
        option: 'net-host',
        rate_rps,
        response_bytes: 350,
        profile: f,
        requests: 2000,
        replications: 1,
        workers: 0,
      });
    expect((await run(64_000)).warnings?.join() ?? '').not.toMatch(/extrapolated/);
    expect((await run(1_000)).warnings?.join()).toMatch(
      /measured at 4000-32000 requests\/s; at 1000 they are extrapolated/,
    );
  }, 60_000);

  it('warns when the profile was fitted on another host than the one simulated', async () => {
    /** One light point with `profile`, on `host` (default: the profile's). */
    const run = (profile: string, host?: string) =>
      simulate({
        option: 'net-host',
        ...(host ? { host } : {}),
        rate_rps: 8000,
        response_bytes: 350,
        profile,
        requests: 2000,
        replications: 1,
        workers: 0,
      });
    const f = byRateProfile();
    expect((await run(f, 'c4.8xlarge')).warnings?.join() ?? '').not.toMatch(/fitted on host/);
    expect((await run(f, 'netns-lab')).warnings?.join()).toMatch(
      /the profile was fitted on host c4.8xlarge: its costs are applied to netns-lab/,
    );
    // A profile fitted with calibrate --host <file> names the file: the host it reads is the same one.
    const example = fileURLToPath(new URL('../../examples/hosts/16-vcpu-4-queues.yaml', import.meta.url));
    const mine = profileFile({ host: example, params: { 'wire.propagation_ns': { value: 50_000 } } });
    const runMine = (host?: string) => run(mine, host);
    const implicit = await runMine();
    expect(implicit.host).toBe('16-vcpu-4-queues');
    expect(implicit.warnings?.join() ?? '').not.toMatch(/fitted on host/);
    // A profile calibrates the costs: no word of the ones the host file inherits.
    expect(implicit.warnings?.join() ?? '').not.toMatch(/extends c4.8xlarge/);
    expect((await runMine('c4.8xlarge')).warnings?.join()).toMatch(
      /fitted on host .*16-vcpu-4-queues\.yaml: its costs are applied to c4.8xlarge/,
    );
  }, 60_000);

  it('names a malformed by_rate', () => {
    const bad = profileFile({
      params: { 'wire.propagation_ns': { value: 1, by_rate: { rates_rps: [32000, 4000], values: [1, 2] } } },
    });
    expect(() =>
      scenarioOf({ option: 'net-host', rate_rps: 1000, response_bytes: 350, profile: bad }),
    ).toThrow(/params\.wire\.propagation_ns\.by_rate\.rates_rps/);
  });

  it('names the bad field of a malformed profile', () => {
    const bad = profileFile({
      params: {},
      option_params: { ipvlan: { 'wire.propagation_ns': { value: 'x' } } },
    });
    expect(() => scenarioOf({ option: 'ipvlan', rate_rps: 1000, response_bytes: 350, profile: bad })).toThrow(
      /option_params\.ipvlan\.wire\.propagation_ns\.value/,
    );
  });
});

describe('a profile fitted on a host of a file', () => {
  it('needs that file with --host, and says so (the profile names the host by id only)', () => {
    const file = profileFile({
      host: '16-vcpu-4-queues',
      params: { 'wire.propagation_ns': { value: 1000 } },
    });
    const req = { option: 'net-host', rate_rps: 50_000, response_bytes: 350, profile: file };
    expect(() => scenarioOf(req)).toThrow(
      /was fitted on host 16-vcpu-4-queues, which is not a built-in: give --host/,
    );
    const example = fileURLToPath(new URL('../../examples/hosts/16-vcpu-4-queues.yaml', import.meta.url));
    expect(scenarioOf({ ...req, host: example }).wire.propagation_ns).toBe(1000);
  });
});
