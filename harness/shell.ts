/**
 * POSIX shell quoting, so the command lines the harness prints can be pasted into a shell and run
 * exactly as the harness ran them.
 */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one word for sh: unchanged when safe, else single-quoted. */
export function shellQuote(word: string): string {
  if (word !== '' && SAFE.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** One shell line from an argv. */
export function shellLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
