import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../cli/errors.ts';
import { FITTED_PROFILE_PATH, resolveProfile } from '../../../notebooks/lib/profile.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnisim-profile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveProfile', () => {
  it('uses the built-in costs, and says so, when there is no fitted profile', () => {
    const r = resolveProfile(undefined, dir);
    expect(r.path).toBeUndefined();
    expect(r.description).toMatch(/built-in default costs \(uncalibrated/);
  });

  it('prefers the fitted profile calibration wrote', () => {
    const fitted = join(dir, FITTED_PROFILE_PATH);
    mkdirSync(join(fitted, '..'), { recursive: true });
    writeFileSync(fitted, '{"params":{}}');
    expect(resolveProfile(undefined, dir)).toEqual({
      path: fitted,
      description: `${FITTED_PROFILE_PATH} (fitted by calibration; used because it exists: --profile names another)`,
    });
  });

  it('takes --profile over the fitted one, and rejects a missing file naming the flag', () => {
    const mine = join(dir, 'mine.json');
    writeFileSync(mine, '{"params":{}}');
    expect(resolveProfile('mine.json', dir).path).toBe(mine);
    expect(() => resolveProfile('nope.json', dir)).toThrow(InputError);
    expect(() => resolveProfile('nope.json', dir)).toThrow('--profile: no such file (got "nope.json")');
  });
});
