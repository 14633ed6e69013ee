/**
 * A fitted profile's params are applied as overrides (sim/simulate.ts): a value the model refuses or
 * a misspelt key names the profile file and the key in it, not only the parameter path (D3).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scenarioOf } from '../../sim/simulate.ts';

const tmp = mkdtempSync(join(tmpdir(), 'cnisim-profile-params-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function profile(name: string, body: Record<string, unknown>): string {
  const path = join(tmp, name);
  writeFileSync(path, JSON.stringify({ host: 'c4.8xlarge', ...body }));
  return path;
}

const req = (p: string, set?: string[]) => ({
  option: 'net-host',
  rate_rps: 10000,
  response_bytes: 350,
  profile: p,
  ...(set ? { set } : {}),
});

describe('fitted profile params as overrides', () => {
  it('a value out of range names --profile, the file and params.<path>', () => {
    const p = profile('neg.json', { params: { 'wire.propagation_ns': { value: -5 } } });
    expect(() => scenarioOf(req(p))).toThrow(
      `--profile ${p}: params.wire.propagation_ns: Too small: expected number to be >=0 (got -5)`,
    );
  });

  it('a misspelt key names the profile and the key as written', () => {
    const p = profile('typo.json', { params: { 'wire.propogation_ns': { value: 5000 } } });
    expect(() => scenarioOf(req(p))).toThrow(
      new RegExp(`^--profile ${p}: params\\.wire\\.propogation_ns: unknown parameter path`),
    );
  });

  it('an option parameter names option_params.<option>.<path>', () => {
    const p = profile('opt.json', {
      params: {},
      option_params: { 'net-host': { 'host.nope': { value: 1 } } },
    });
    expect(() => scenarioOf(req(p))).toThrow(
      new RegExp(`^--profile ${p}: option_params\\.net-host\\.host\\.nope: unknown parameter path`),
    );
  });

  it('a good profile applies as before; a bad --set is still named by its own path', () => {
    const p = profile('good.json', { params: { 'wire.propagation_ns': { value: 7000 } } });
    expect(scenarioOf(req(p)).wire.propagation_ns).toBe(7000);
    expect(() => scenarioOf(req(p, ['wire.propagation_ns=-1']))).toThrow(
      /^wire\.propagation_ns: Too small.*\(got -1\)$/,
    );
    // --set applies after the profile and wins
    expect(scenarioOf(req(p, ['wire.propagation_ns=9000'])).wire.propagation_ns).toBe(9000);
  });
});
