/**
 * The TCP counters of lab records against the real kernel: /proc/net/snmp is per network
 * namespace, so they must be read in the server's and the client's namespaces (where the sockets
 * are), not in the harness's own (where they stayed zero). One net-host lab, one open-loop step
 * (the client read through the generator's pid) and, when wrk is installed, one wrk step (the
 * client read by the namespace's name). Skips with the reason as lab.test.ts does; run it under
 * `flock /tmp/cnisim-lab.lock`. Budget: about 15 s.
 */
import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveCommand } from '../../harness/exec.ts';
import { type LabState, labDown, labUp, listLabNamespaces, namespacesUsable } from '../../harness/lab/lab.ts';
import { runLabStep, runLabWrkStep } from '../../harness/lab-step.ts';
import { nginxVersion } from '../../harness/nginx/server.ts';
import { RunRecord } from '../../harness/run-record.ts';

const ns = namespacesUsable();
const skip = !ns.ok ? ns.reason : nginxVersion() === null ? 'nginx is not installed' : null;
if (skip) console.log(`test/harness/lab-tcp-counters.test.ts skipped: ${skip}`);

const tag = `k${process.pid % 1_000_000}`;
const prefix = `cns-${tag}-`;
const nginxCpu = availableParallelism() > 1 ? 1 : 0;

describe.skipIf(skip !== null)('TCP counters of lab records (per namespace)', () => {
  let state: LabState;
  beforeAll(async () => {
    state = await labUp('net-host', { tag, nginx_cpus: [nginxCpu] });
  }, 60_000);
  afterAll(() => {
    labDown(prefix);
  });

  const base = { run_id: 'tcp-test', step_index: 0, repeat: 0, connections: 4, response: 'small' as const };

  it("an open-loop step carries each side's segments, at least one each way per request", async () => {
    const r = await runLabStep({
      ...base,
      state,
      rate_rps: 2000,
      duration_s: 1,
      warmup_s: 0.2,
      generator_cpus: '0',
    });
    expect(RunRecord.safeParse(r).success).toBe(true);
    expect(r.valid, r.invalid_reason ?? '').toBe(true);
    const n = r.requests_sent!;
    const { server, client, machine } = r.counters!;
    console.log(
      `lab tcp: ${n} requests; server in ${server?.tcp?.in_segs} out ${server?.tcp?.out_segs}, client in ${client?.tcp?.in_segs} out ${client?.tcp?.out_segs}`,
    );
    // The harness's own namespace carries none of it: machine has no tcp.
    expect(machine?.tcp).toBeUndefined();
    // Keep-alive requests: the server receives each request (and some ACKs of responses), sends
    // the response as one or two segments; measured: 2000 requests, server in 3526, out 4136. The
    // window's edges cut a few in flight, hence 0.9.
    expect(server?.tcp?.in_segs).toBeGreaterThan(0.9 * n);
    expect(server?.tcp?.out_segs).toBeGreaterThan(0.9 * n);
    expect(client?.tcp?.out_segs).toBeGreaterThan(0.9 * n);
    expect(client?.tcp?.in_segs).toBeGreaterThan(0.9 * n);
    // One namespace's out is the other's in (one wire, nothing lost), up to the edges' skew.
    expect(Math.abs(server!.tcp!.out_segs! - client!.tcp!.in_segs!)).toBeLessThan(0.1 * n);
    expect(r.counters!.note).toMatch(/per network namespace/);
  }, 60_000);

  it.skipIf(!haveCommand('wrk'))(
    'a wrk step reads the client namespace by name',
    () => {
      const r = runLabWrkStep({ ...base, state, duration_s: 1, generator_cpus: '0' });
      expect(r.valid, r.invalid_reason ?? '').toBe(true);
      const { server, client } = r.counters!;
      expect(client?.tcp?.out_segs).toBeGreaterThan(0.9 * r.requests_sent!);
      expect(server?.tcp?.out_segs).toBeGreaterThan(0.9 * r.requests_sent!);
    },
    60_000,
  );

  it('leaves no namespace behind', () => {
    labDown(prefix);
    expect(listLabNamespaces(prefix)).toEqual([]);
  });
});
