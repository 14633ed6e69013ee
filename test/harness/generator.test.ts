import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  GeneratorError,
  type OpenLoopConfig,
  type OpenLoopHooks,
  type OpenLoopResult,
  runOpenLoop,
} from '../../harness/generator/generator.ts';
import { MarkerScanner } from '../../harness/generator/marker.ts';
import { connectionOf, dueNs, makeSchedule } from '../../harness/generator/schedule.ts';
import { judgeStep } from '../../harness/lab-step.ts';

const BODY = 'x'.repeat(100 - 'HTTP/1.1 200 OK\r\nContent-Length: 62\r\n\r\n'.length);
const RESPONSE = `HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`;
const REQUEST = 'GET / HTTP/1.1\r\nHost: t\r\n\r\n';

/** A loopback HTTP-ish server: answers every complete request with `reply(n)` (n counts per connection). */
function server(reply: (n: number, s: Socket) => string | null): Promise<{ srv: Server; port: number }> {
  return new Promise((resolve) => {
    const srv = createServer((s) => {
      let pending = '';
      let n = 0;
      s.on('data', (d) => {
        pending += d.toString('latin1');
        let i = pending.indexOf('\r\n\r\n');
        while (i >= 0) {
          pending = pending.slice(i + 4);
          const r = reply(n++, s);
          if (r !== null && !s.destroyed) s.write(r);
          i = pending.indexOf('\r\n\r\n');
        }
      });
      s.on('error', () => {});
    });
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      resolve({ srv, port: typeof a === 'object' && a ? a.port : 0 });
    });
  });
}

/** runOpenLoop sending REQUEST to `port` on loopback, with no warm-up unless `cfg` sets one. */
function openLoop(
  port: number,
  cfg: Omit<OpenLoopConfig, 'host' | 'port' | 'request' | 'warmup_s'> & { warmup_s?: number },
  hooks?: OpenLoopHooks,
): Promise<OpenLoopResult> {
  return runOpenLoop({ host: '127.0.0.1', port, warmup_s: 0, request: REQUEST, ...cfg }, hooks);
}

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

describe('schedule', () => {
  it('spreads a total rate over connections at a constant per-connection rate', () => {
    const s = makeSchedule(1000, 4, 0.5, 1);
    expect(s.total).toBe(1500);
    expect(s.first_measured).toBe(500);
    expect(dueNs(s, 1)).toBe(1_000_000);
    // Connection 2 sends at indices 2, 6, 10: every 4 ms = 250 per second = 1000 / 4.
    expect(dueNs(s, 6) - dueNs(s, 2)).toBe(4_000_000);
    expect(connectionOf(s, 6)).toBe(2);
  });
  it('handles rates that do not divide a second', () => {
    const s = makeSchedule(3, 1, 0, 1);
    expect(s.total).toBe(3);
    expect([0, 1, 2].map((i) => dueNs(s, i))).toEqual([0, 333_333_333, 666_666_666]);
  });
});

describe('MarkerScanner', () => {
  const count = (chunks: string[]) => {
    const sc = new MarkerScanner('HTTP/1.1 ');
    const seen: boolean[] = [];
    for (const c of chunks) sc.scan(Buffer.from(c, 'latin1'), (ok) => seen.push(ok));
    return seen;
  };
  it('finds markers inside chunks and reads the status', () => {
    expect(count(['HTTP/1.1 200 OK\r\n\r\nHTTP/1.1 404 Not Found\r\n\r\n'])).toEqual([true, false]);
  });
  it('finds a marker split across chunks, at every split point', () => {
    const text = 'abcHTTP/1.1 200 OKxyzHTTP/1.1 200 OK';
    for (let cut = 1; cut < text.length; cut++)
      expect(count([text.slice(0, cut), text.slice(cut)])).toHaveLength(2);
  });
  it('finds markers delivered one byte at a time', () => {
    expect(count([...'HTTP/1.1 200 HTTP/1.1 200 '])).toHaveLength(2);
  });
});

describe('runOpenLoop against a loopback server', () => {
  it('offers the rate open-loop and measures every request twice', async () => {
    const { srv, port } = await server(() => RESPONSE);
    servers.push(srv);
    const r = await openLoop(port, {
      connections: 4,
      rate_rps: 2000,
      duration_s: 1,
      warmup_s: 0.2,
      lag_limit_ms: 1000,
    });
    expect(r.ok).toBe(true);
    expect(r.measured_requests).toBe(2000);
    expect(r.measured_answered).toBe(2000);
    expect(r.latency_samples).toBe(2000);
    expect(r.bytes_per_response).toBe(100);
    expect(r.non_200).toBe(0);
    // Responses counted inside a 1 s window differ from the rate only by those in flight at its two
    // edges (rate x (latency + send lag), a few ms: < 1 %); 5 % leaves room for a busy machine.
    expect(Math.abs(r.achieved_rps - 2000) / 2000).toBeLessThan(0.05);
    // Every send due in the window is made (open loop: late, never skipped).
    expect(r.requests_sent).toBe(2000);
    expect(r.sent_rps).toBe(2000);
    // A send is never written before it is due, so per request from_schedule >= from_write, and so
    // is every percentile (same histogram buckets).
    for (const k of ['p50', 'p90', 'p99', 'max'] as const)
      expect(r.latency_from_schedule_ms[k]!).toBeGreaterThanOrEqual(r.latency_from_write_ms[k]!);
    expect(r.cpu_user_s + r.cpu_system_s).toBeGreaterThan(0);
    // Bursts: every measured response is counted at its position, the bins are in order, and the
    // ticks of the window wrote about the window's sends (sends of ticks at its two edges aside: a
    // tick writes every send due, at most one period's worth, so within a few ticks' worth).
    const b = r.bursts;
    expect(b.by_position.reduce((n, x) => n + x.requests, 0)).toBe(2000);
    expect(b.by_position[0]!.from).toBe(0);
    for (let i = 1; i < b.by_position.length; i++)
      expect(b.by_position[i]!.from).toBeGreaterThan(b.by_position[i - 1]!.to!);
    const writes = b.sends_per_tick_mean * (b.ticks_per_s - b.empty_ticks_per_s);
    expect(Math.abs(writes - 2000)).toBeLessThanOrEqual(4 * b.sends_per_tick_mean + 64);
    // Timers sleep >= 1 ms, so at most ~1000 wake-ups a second (plus the first).
    expect(b.ticks_per_s).toBeLessThanOrEqual(1001);
    // Writes while the window was open: the window's sends, give or take the ticks at its edges.
    expect(Math.abs(r.writes_in_window - 2000)).toBeLessThanOrEqual(4 * b.sends_per_tick_mean + 64);
  });

  it('a generator that falls behind says so, and the step is invalid', async () => {
    const { srv, port } = await server(() => RESPONSE);
    servers.push(srv);
    // The process is blocked for 1.6 s when the 1 s window opens (as a CPU-starved generator
    // would be): every send of the window leaves after it closed plus the 250 ms allowance.
    const block = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1600);
    const r = await openLoop(
      port,
      { connections: 2, rate_rps: 200, duration_s: 1, warmup_s: 0.1 },
      { onWindow: (edge) => edge === 'start' && block() },
    );
    expect(r.ok).toBe(true);
    expect(r.kept_up).toBe(false);
    expect(r.late_sends).toBeGreaterThan(150);
    // The window's sends all went out while it was still open (its end is seen only after the
    // send loop), late: a backlog written inside the window counts as written in it.
    expect(r.writes_in_window).toBeGreaterThanOrEqual(200);
    expect(r.kept_up_reason).toMatch(/written more than 250 ms after it closed/);
    expect(judgeStep(r, 200, 100).invalid).toMatch(/^generator fell behind/);
  });

  it('an unreachable target is a clear error', async () => {
    const { srv, port } = await server(() => RESPONSE);
    await new Promise<void>((res) => srv.close(() => res()));
    await expect(openLoop(port, { connections: 2, rate_rps: 10, duration_s: 0.1 })).rejects.toThrow(
      GeneratorError,
    );
    await expect(openLoop(port, { connections: 2, rate_rps: 10, duration_s: 0.1 })).rejects.toThrow(
      /cannot connect to 127\.0\.0\.1:\d+: ECONNREFUSED/,
    );
  });

  it('a server that closes the connection abandons the run, with the reason', async () => {
    const { srv, port } = await server((n, s) => {
      if (n === 20) s.destroy();
      return RESPONSE;
    });
    servers.push(srv);
    const r = await openLoop(port, { connections: 1, rate_rps: 500, duration_s: 0.5 });
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/closed by the server|ECONNRESET/);
    expect(judgeStep(r, 500, 100).invalid).toMatch(/abandoned/);
  });

  it('requests never answered make the step invalid', async () => {
    const { srv, port } = await server(() => null);
    servers.push(srv);
    const r = await openLoop(port, { connections: 2, rate_rps: 200, duration_s: 0.3, drain_s: 0.2 });
    expect(r.ok).toBe(true);
    expect(r.measured_requests).toBe(60);
    expect(r.measured_answered).toBe(0);
    // Judged against the rate it really offered, so a stall of this loaded machine cannot turn
    // the verdict into "fell behind" (that rule has its own test below).
    expect(judgeStep(r, r.sent_rps, 100).invalid).toMatch(/60 of 60 measured requests got no response/);
  });

  it('non-200 responses make the step invalid', async () => {
    const { srv, port } = await server(() => RESPONSE.replace('200 OK', '503 No!'));
    servers.push(srv);
    const r = await openLoop(port, { connections: 1, rate_rps: 100, duration_s: 0.2 });
    expect(r.measured_answered).toBe(20);
    expect(r.non_200).toBe(20);
    expect(judgeStep(r, r.sent_rps, 100).invalid).toMatch(/20 responses were not 200/);
  });
});

describe('judgeStep', () => {
  const base: OpenLoopResult = {
    bursts: { ticks_per_s: 0, empty_ticks_per_s: 0, sends_per_tick_mean: 0, by_position: [] },
    generator: 'cnisim-openloop',
    version: '1',
    ok: true,
    requested_rps: 1000,
    achieved_rps: 1000,
    sent_rps: 1000,
    late_sends: 0,
    writes_in_window: 1000,
    connections: 1,
    duration_s: 1,
    warmup_s: 0,
    request_bytes: 40,
    requests_sent: 1000,
    responses_received: 1000,
    measured_requests: 1000,
    measured_answered: 1000,
    non_200: 0,
    bytes_per_response: 350,
    latency_from_write_ms: {},
    latency_from_schedule_ms: {},
    latency_mean_from_write_ms: 0.1,
    latency_samples: 1000,
    lag_p99_ms: 0.5,
    lag_max_ms: 1,
    kept_up: true,
    kept_up_reason: null,
    cpu_user_s: 0.1,
    cpu_system_s: 0.1,
    cpu_per_request_us: 200,
  };
  it('a clean run is valid without warnings', () => {
    expect(judgeStep(base, 1000, 350)).toEqual({ invalid: null, warnings: [] });
  });
  it('a generator that fell behind makes the record invalid', () => {
    const r = { ...base, sent_rps: 700, kept_up: false, kept_up_reason: 'late' };
    expect(judgeStep(r, 1000, 350).invalid).toMatch(/generator fell behind: offered 700 of 1000/);
  });
  it('a backlog of sends long after the window makes it invalid', () => {
    const r = {
      ...base,
      late_sends: 12,
      kept_up: false,
      kept_up_reason: '12 of 1000 sends of the window were written more than 250 ms after it closed',
    };
    expect(judgeStep(r, 1000, 350).invalid).toMatch(/generator fell behind: 12 of 1000 sends/);
  });
  it('late but complete sends keep it valid with a warning', () => {
    const r = { ...base, kept_up: false, kept_up_reason: 'p99 send lag 9 ms' };
    const j = judgeStep(r, 1000, 350);
    expect(j.invalid).toBeNull();
    expect(j.warnings[0]).toMatch(/late.*from_schedule/);
  });
  it('a response size other than the one checked at start is invalid', () => {
    expect(judgeStep({ ...base, bytes_per_response: 351 }, 1000, 350).invalid).toMatch(
      /351\.0 bytes, not the 350/,
    );
  });
  it('a generator that failed to start is invalid with its error', () => {
    expect(judgeStep({ ok: false, error: 'cannot connect' }, 1000, 350).invalid).toBe(
      'generator failed: cannot connect',
    );
  });
});
