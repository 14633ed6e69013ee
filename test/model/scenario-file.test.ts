import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { pointOf } from '../../cli/commands/simulate.ts';
import { loadHost, loadOption } from '../../model/load.ts';
import { inputError } from './helpers/input-error.ts';
import { readScenarioFile } from '../../model/scenario-file.ts';
import { tempDirs } from '../notebooks/helpers/temp-dirs.ts';

const tmp = tempDirs('cnisim-scenario-file-');

describe('a scenario file', () => {
  it('names its host and option files relative to itself, as extends does', () => {
    const dir = join(tmp(), 'sub');
    mkdirSync(join(dir, 'hosts'), { recursive: true });
    writeFileSync(join(dir, 'hosts', 'h.yaml'), 'extends: c4.8xlarge\nid: h\n');
    writeFileSync(join(dir, 'o.yaml'), 'extends: net-host\nid: o\n');
    const file = join(dir, 'sc.yaml');
    writeFileSync(file, 'host: hosts/h.yaml\noption: o.yaml\n');
    const s = readScenarioFile(file);
    expect(s.host).toBe(join(dir, 'hosts', 'h.yaml'));
    expect(s.option).toBe(join(dir, 'o.yaml'));
  });

  it('leaves built-in ids, absolute paths and inline objects as written', () => {
    const dir = tmp();
    const file = join(dir, 'sc.yaml');
    writeFileSync(file, 'host: c4.8xlarge\noption: /abs/o.yaml\n');
    expect(readScenarioFile(file)).toMatchObject({ host: 'c4.8xlarge', option: '/abs/o.yaml' });
  });
});

describe('an inline host or option in a scenario', () => {
  it('is checked on its own: an error names the field, and extends is refused with what to do', () => {
    const dir = tmp();
    const host = { ...loadHost('c4.8xlarge'), id: 'inline' } as Record<string, unknown>;
    const nic = { ...(host.nic as Record<string, unknown>) };
    delete nic.queues;
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, YAML.stringify({ host: { ...host, nic } }));
    const e = inputError(() => readScenarioFile(bad));
    expect(e.field).toBe('scenario.host.nic.queues');
    const ext = join(dir, 'ext.yaml');
    writeFileSync(ext, YAML.stringify({ host: { extends: 'c4.8xlarge', id: 'x' } }));
    expect(inputError(() => readScenarioFile(ext)).reason).toMatch(/an inline host cannot extend another/);
    const ok = join(dir, 'ok.yaml');
    writeFileSync(ok, YAML.stringify({ host }));
    expect((readScenarioFile(ok).host as { id: string }).id).toBe('inline');
  });
});

describe('a scenario whose option is inline', () => {
  it('is invalid input for the commands (exit 3), saying what to do, unless --option is given', () => {
    const file = join(tmp(), 'sc.yaml');
    writeFileSync(file, YAML.stringify({ option: { ...loadOption('ipvlan'), id: 'inline-ipvlan' } }));
    const e = inputError(() => pointOf({ scenario: file, rate: 1000, responseBytes: 350 }));
    expect(e.field).toBe('--scenario');
    expect(e.reason).toMatch(/option is written inline.*put the option in a file of its own/);
    expect(pointOf({ scenario: file, option: 'net-host', rate: 1000, responseBytes: 350 }).option).toBe(
      'net-host',
    );
  });
});
