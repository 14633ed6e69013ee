/**
 * The profile a study predicts with: the one named with --profile (must exist), else the fitted
 * profile calibration writes (`out/profiles/fitted.json` under the working directory) when there is
 * one, else the built-in default costs. Reports state which.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../../cli/errors.ts';

import { FITTED_PROFILE_PATH } from '../../calibration/fitted-profile.ts';

export { FITTED_PROFILE_PATH };

export interface ResolvedProfile {
  /** Path handed to simulate(), or undefined for the built-in defaults. */
  path: string | undefined;
  /** What the report says. */
  description: string;
}

export function resolveProfile(explicit: string | undefined, cwd = process.cwd()): ResolvedProfile {
  if (explicit !== undefined) {
    const p = resolve(cwd, explicit);
    if (!existsSync(p)) throw new InputError('--profile', explicit, 'no such file');
    return { path: p, description: `${explicit} (given with --profile)` };
  }
  const fitted = resolve(cwd, FITTED_PROFILE_PATH);
  if (existsSync(fitted))
    return {
      path: fitted,
      description: `${FITTED_PROFILE_PATH} (fitted by calibration; used because it exists: --profile names another)`,
    };
  return { path: undefined, description: 'built-in default costs (uncalibrated: no fitted profile found)' };
}
