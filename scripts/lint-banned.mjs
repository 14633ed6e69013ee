#!/usr/bin/env node
// Project lint rules that Biome cannot express. Randomness must be injected (seeded streams from
// sim/engine), so Math.random is banned everywhere except in this file's own pattern.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['cli', 'bench', 'model', 'sim', 'calibration', 'harness', 'notebooks', 'test', 'bin'];
const banned = [
  { re: /\bMath\s*\.\s*random\b/, why: 'Math.random is banned: take a seeded stream from sim/engine/rng' },
];
const problems = [];

function walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.(ts|mts|js|mjs)$/.test(name)) check(path);
  }
}

function check(path) {
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.forEach((line, i) => {
    for (const rule of banned) if (rule.re.test(line)) problems.push(`${path}:${i + 1}: ${rule.why}`);
  });
}

for (const root of roots) walk(root);
if (problems.length > 0) {
  for (const p of problems) console.error(p);
  console.error(`lint-banned: ${problems.length} problem(s)`);
  process.exit(1);
}
