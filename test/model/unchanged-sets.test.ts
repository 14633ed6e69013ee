import { describe, expect, it } from 'vitest';
import { normalize } from '../../model/compile/normalize.ts';
import { unchangedSetWarnings } from '../../model/compile/unchanged-sets.ts';

const base = { option: 'net-host', workload: { rate_rps: 150000, response_bytes: 350 } };
const check = (set: string[], label?: string) =>
  unchangedSetWarnings(normalize(base), normalize({ ...base, set }), set, label);

describe('unchangedSetWarnings', () => {
  it('warns when the overrides leave the scenario as it was (c4.8xlarge: rx_usecs 10, RFS on)', () => {
    expect(check(['host.nic.rx_usecs=10'])).toEqual([
      '--set host.nic.rx_usecs=10 changes nothing: host.nic.rx_usecs is that already',
    ]);
    expect(check(['host.nic.rx_usecs=50', 'host.nic.rx_usecs=10'])[0]).toMatch(
      /^--set host.nic.rx_usecs=50, --set host.nic.rx_usecs=10 change nothing together/,
    );
    expect(check(['host.mechanisms.rfs=true'], '--variant v:')).toEqual([
      '--variant v: host.mechanisms.rfs=true changes nothing: host.mechanisms.rfs is that already',
    ]);
  });

  it('reads CPU lists and masks by the CPUs they name', () => {
    // rps_cpus is 00000000,0003fdfe: CPUs 1-8 and 10-17.
    expect(check(['host.rps_cpus=1-8,10-17'])).toHaveLength(1);
    expect(check(['host.rps_cpus=10-17,1-8'])).toHaveLength(1);
    expect(check(['host.rps_cpus=1-8,10-18'])).toEqual([]);
    expect(check(['host.nic.irq_cpus=0,9'])).toHaveLength(1);
    expect(check(['host.nic.irq_cpus=0,0'])).toEqual([]);
  });

  it('says nothing of a repeated value beside an override that changes something, or of none', () => {
    expect(check(['host.nic.coalescing=fixed', 'host.nic.rx_usecs=10'])).toEqual([]);
    expect(check(['host.nic.rx_usecs=11'])).toEqual([]);
    expect(check([])).toEqual([]);
  });
});
