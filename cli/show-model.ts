/**
 * `cnisim hosts --show <id|file>` and `cnisim options --show <id|file>`: a model file to start your
 * own from. A built-in prints as its file is written (comments and sources included); a file of
 * yours prints as the model reads it, its `extends` chain resolved, so what is in effect shows.
 * `--json` prints the resolved data as JSON.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import YAML from 'yaml';
import { HOSTS_DIR, OPTIONS_DIR } from '../model/load.ts';
import { printJson } from './output.ts';

export function showModel(
  file: string,
  resolved: object,
  kind: 'host' | 'option',
  json: boolean | undefined,
): void {
  if (json) {
    printJson(resolved);
    return;
  }
  const builtinDir = kind === 'host' ? HOSTS_DIR : OPTIONS_DIR;
  if (!relative(builtinDir, file).startsWith('..')) {
    process.stdout.write(readFileSync(file, 'utf8'));
    return;
  }
  process.stdout.write(
    `# ${file} as cnisim reads it (extends resolved)\n${YAML.stringify(resolved, { lineWidth: 0 })}`,
  );
}
