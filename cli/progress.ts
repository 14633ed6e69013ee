/**
 * Progress for long runs, on stderr only. On a terminal it redraws one line; otherwise (CI, pipes)
 * it prints at most one line per `minIntervalMs` so logs stay short. `--quiet` callers pass `enabled: false`.
 */
export interface Progress {
  update(done: number, note?: string): void;
  finish(note?: string): void;
}

export function createProgress(
  label: string,
  total: number,
  opts: { enabled?: boolean; minIntervalMs?: number; stream?: NodeJS.WriteStream } = {},
): Progress {
  const stream = opts.stream ?? process.stderr;
  const enabled = opts.enabled ?? true;
  const tty = Boolean(stream.isTTY);
  const minIntervalMs = opts.minIntervalMs ?? (tty ? 100 : 5000);
  const start = Date.now();
  let last = 0;
  const line = (done: number, note?: string) => {
    const elapsed_s = (Date.now() - start) / 1000;
    const pct = total > 0 ? Math.min(100, (100 * done) / total) : 0;
    const eta_s = done > 0 && done < total ? (elapsed_s * (total - done)) / done : 0;
    return `${label}: ${done}/${total} (${pct.toFixed(0)} %), ${elapsed_s.toFixed(1)} s elapsed${
      eta_s > 0 ? `, ~${eta_s.toFixed(0)} s left` : ''
    }${note ? `, ${note}` : ''}`;
  };
  return {
    update(done, note) {
      if (!enabled) return;
      const now = Date.now();
      if (now - last < minIntervalMs && done < total) return;
      last = now;
      if (tty) stream.write(`\r\x1b[2K${line(done, note)}`);
      else stream.write(`${line(done, note)}\n`);
    },
    finish(note) {
      if (!enabled) return;
      if (tty) stream.write(`\r\x1b[2K${line(total, note)}\n`);
      else stream.write(`${line(total, note)}\n`);
    },
  };
}
