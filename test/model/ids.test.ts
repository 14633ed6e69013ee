/**
 * Results are labelled with the host and option ids, and fitted profiles are matched by them: no
 * file, override or pair of options may make one pass for another.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { normalize } from '../../model/compile/normalize.ts';
import { readScenarioFile } from '../../model/scenario-file.ts';
import { checkDistinctOptionIds, loadHost, loadOption, optionFilePath } from '../../model/load.ts';
import { tempDirs } from '../notebooks/helpers/temp-dirs.ts';
import { inputError } from './helpers/input-error.ts';

const tmp = tempDirs('cnisim-ids-');

describe('a file with a built-in id', () => {
  it('is taken when it is that built-in (a saved hosts --show), refused when it differs', () => {
    const dir = tmp();
    const same = join(dir, 'c4.yaml');
    writeFileSync(same, YAML.stringify(loadHost('c4.8xlarge')));
    expect(loadHost(same)).toEqual(loadHost('c4.8xlarge'));
    const changed = join(dir, 'c4-changed.yaml');
    writeFileSync(changed, YAML.stringify({ ...loadHost('c4.8xlarge'), rps_cpus: '0-17' }));
    const e = inputError(() => loadHost(changed));
    expect(e.field).toBe('host.id');
    expect(e.reason).toMatch(/built-in host profile's id, and this file differs/);
  });

  it('an option file posing as another built-in option is refused', () => {
    const dir = tmp();
    const pose = join(dir, 'pose.yaml');
    writeFileSync(
      pose,
      readFileSync(optionFilePath('net-host')!, 'utf8').replace(/^id: net-host$/m, 'id: flannel-vxlan'),
    );
    expect(inputError(() => loadOption(pose)).field).toBe('option.id');
  });
});

describe('two options of one run with the same id', () => {
  it('are refused, even when one is a copy of the other', () => {
    const copy = join(tmp(), 'copy.yaml');
    writeFileSync(copy, readFileSync(optionFilePath('net-host')!, 'utf8'));
    expect(loadOption(copy).id).toBe('net-host');
    const e = inputError(() => checkDistinctOptionIds(['net-host', copy], '--options'));
    expect(e.reason).toMatch(/are both option net-host/);
    expect(() => checkDistinctOptionIds(['net-host', 'ipvlan'], '--options')).not.toThrow();
  });
});

describe('--set of an id', () => {
  it('is refused (it relabelled net-host as another option with net-host numbers)', () => {
    const base = { option: 'net-host', workload: { rate_rps: 50_000, response_bytes: 350 } };
    expect(inputError(() => normalize({ ...base, set: ['option.id=flannel-vxlan'] })).field).toBe(
      'option.id',
    );
    expect(inputError(() => normalize({ ...base, set: ['host.id=netns-lab'] })).reason).toMatch(
      /host id the result is labelled with/,
    );
  });
});

describe('a CPU mask written as a YAML number', () => {
  it('is refused, asking for quotes (YAML reads 0010 as 10 and 0x3 as 3: the CPUs meant are lost)', () => {
    const f = join(tmp(), 'q1.yaml');
    writeFileSync(f, 'extends: c4.8xlarge\nid: q1\nrps_cpus: 0010\n');
    const e = inputError(() => loadHost(f));
    expect(e.field).toBe('host.rps_cpus');
    expect(e.reason).toMatch(/quote it/);
  });
});

describe('what counts as being the built-in', () => {
  it('the numbers, not the prose: extends c4.8xlarge with its id and nothing else is c4.8xlarge', () => {
    const f = join(tmp(), 'same.yaml');
    writeFileSync(f, 'extends: c4.8xlarge\nid: c4.8xlarge\n');
    expect(loadHost(f).nic).toMatchObject({ queues: 2, irq_cpus: '0,9' });
  });

  it('an inline host in a scenario may not pass for a built-in either', () => {
    const f = join(tmp(), 'sc.yaml');
    const h = loadHost('c4.8xlarge');
    writeFileSync(f, YAML.stringify({ host: { ...h, mechanisms: { ...h.mechanisms, coalescing: false } } }));
    expect(inputError(() => readScenarioFile(f)).field).toBe('scenario.host.id');
  });
});
