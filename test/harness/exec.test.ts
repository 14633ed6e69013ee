import { describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../cli/errors.ts';
import { CommandError, InterruptedError, run } from '../../harness/exec.ts';

describe('run', () => {
  it("takes a command killed by Ctrl-C or SIGTERM for the user's interruption (exit 130 / 143), not its failure", () => {
    // A terminal's Ctrl-C reaches the whole process group: the lab's `ip` child dies of SIGINT first,
    // which had been reported as a broken lab (exit 3).
    const int = (() => {
      try {
        run(['sh', '-c', 'kill -INT $$']);
      } catch (e) {
        return e;
      }
    })();
    expect(int).toBeInstanceOf(InterruptedError);
    expect(exitCodeOf(int)).toBe(130);
    expect(String(int)).toMatch(/interrupted \(SIGINT\) while `sh -c/);
    expect(() => run(['sh', '-c', 'kill -TERM $$'])).toThrow(InterruptedError);
    let term: unknown;
    try {
      run(['sh', '-c', 'kill -TERM $$']);
    } catch (e) {
      term = e;
    }
    expect(exitCodeOf(term)).toBe(143);
  });
  it('still reports a command that failed, or was killed by another signal, as its failure', () => {
    expect(() => run(['sh', '-c', 'echo boom >&2; exit 3'])).toThrow(CommandError);
    expect(() => run(['sh', '-c', 'echo boom >&2; exit 3'])).toThrow(/\(exit 3\): boom/);
    expect(() => run(['sh', '-c', 'kill -KILL $$'])).toThrow(CommandError);
  });
});
