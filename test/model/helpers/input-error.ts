/** The InputError `f` throws (any other throw is re-thrown; no throw fails the test). */
import { InputError } from '../../../cli/errors.ts';

export function inputError(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}
