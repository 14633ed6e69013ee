/**
 * The browser builds of vega, vega-lite and vega-embed, read from node_modules so a report can
 * inline them and open offline. Read once per process. (The packages' `exports` hide their
 * package.json and build folders from `require.resolve`, so this walks up to node_modules.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function buildFile(pkg: string, file: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'node_modules', pkg, 'build', file);
    if (existsSync(candidate)) return readFileSync(candidate, 'utf8');
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find node_modules/${pkg}/build/${file} (run npm ci)`);
    dir = parent;
  }
}

let cached: { name: string; source: string }[] | undefined;

/** In load order: vega, then vega-lite (needs vega), then vega-embed (needs both). */
export function vegaLibraries(): { name: string; source: string }[] {
  cached ??= [
    { name: 'vega', source: buildFile('vega', 'vega.min.js') },
    { name: 'vega-lite', source: buildFile('vega-lite', 'vega-lite.min.js') },
    { name: 'vega-embed', source: buildFile('vega-embed', 'vega-embed.min.js') },
  ];
  return cached;
}
