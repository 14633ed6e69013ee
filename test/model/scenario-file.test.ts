import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
