/**
 * Reads a JSON file given on the command line and checks it against a zod schema. Every failure is
 * an InputError (exit 3) naming the flag, the first bad field and the file.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { InputError } from './errors.ts';

export function readJsonFile<S extends z.ZodType>(
  flag: string,
  file: string,
  schema: S,
  what: string,
): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(
      flag,
      file,
      err instanceof Error && 'code' in err ? 'cannot read the file' : 'not valid JSON',
    );
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new InputError(`${flag} ${i.path.join('.') || '(root)'}`, file, `not ${what}: ${i.message}`);
  }
  return r.data;
}
