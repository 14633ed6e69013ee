/**
 * Counts occurrences of a response marker (e.g. `HTTP/1.1 `) in a byte stream delivered in chunks,
 * including occurrences split across chunk boundaries, as tcpkali's --latency-marker does. For each
 * occurrence it says whether the 3 bytes after it read `200`. When those bytes are not in the same
 * chunk (rare) the response counts as 200: the scanner counts responses, it does not validate them.
 * Cost: one Buffer.indexOf pass per chunk plus a copy of at most marker-1 bytes.
 */
export class MarkerScanner {
  private readonly marker: Buffer;
  private carry: Buffer = Buffer.alloc(0);

  constructor(marker: string) {
    if (marker.length === 0) throw new Error('empty latency marker');
    this.marker = Buffer.from(marker, 'latin1');
  }

  /** Calls `onMarker(ok)` once per marker completed in this chunk, in stream order. */
  scan(chunk: Buffer, onMarker: (ok: boolean) => void): void {
    const m = this.marker;
    const L = m.length;
    if (this.carry.length > 0) {
      // Occurrences that start in the previous chunk's tail and end in this one.
      const joined = Buffer.concat([this.carry, chunk.subarray(0, L - 1)]);
      for (let at = joined.indexOf(m); at >= 0 && at < this.carry.length; at = joined.indexOf(m, at + 1))
        onMarker(true);
    }
    for (let at = chunk.indexOf(m); at >= 0; at = chunk.indexOf(m, at + L)) {
      const s = at + L;
      onMarker(s + 3 > chunk.length || (chunk[s] === 0x32 && chunk[s + 1] === 0x30 && chunk[s + 2] === 0x30));
    }
    if (L === 1) return;
    if (chunk.length >= L - 1) this.carry = Buffer.from(chunk.subarray(chunk.length - (L - 1)));
    else {
      const t = Buffer.concat([this.carry, chunk]);
      this.carry = Buffer.from(t.subarray(Math.max(0, t.length - (L - 1))));
    }
  }
}
