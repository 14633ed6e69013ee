#!/usr/bin/env node
// Entry point: runs the TypeScript CLI through tsx, so `npx cnisim` works right after `npm ci`
// with no build step. Worker threads use the same loader through sim/engine/worker-shim.mjs.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
