/**
 * Process entry of the generator and the probes, started by the harness inside a lab namespace
 * (`ip netns exec <ns> [taskset -c <cpus>] node --import tsx harness/generator/main.ts <mode> <json>`).
 * Prints exactly one JSON object on stdout: the result, or `{ "ok": false, "error": ... }`.
 * Modes: `run` (OpenLoopConfig), `probe-connect` ({host, port}), `probe-http` ({host, port, request}).
 */
import { runOpenLoop, type OpenLoopConfig } from './generator.ts';
import { probeConnect, probeHttp } from './probe.ts';

async function main(): Promise<unknown> {
  const mode = process.argv[2];
  const cfg = JSON.parse(process.argv[3] ?? '{}') as Record<string, unknown>;
  const host = String(cfg.host);
  const port = Number(cfg.port);
  if (mode === 'run')
    return runOpenLoop(cfg as unknown as OpenLoopConfig, {
      // One line per window edge, so the parent can snapshot kernel counters (and this process's
      // schedstat: its pid) around the window.
      onWindow: (edge) =>
        process.stdout.write(`${JSON.stringify({ event: `window_${edge}`, pid: process.pid })}\n`),
    });
  if (mode === 'probe-connect') return probeConnect(host, port, Number(cfg.timeout_ms ?? 2000));
  if (mode === 'probe-http')
    return probeHttp(host, port, String(cfg.request), Number(cfg.timeout_ms ?? 3000));
  throw new Error(`unknown mode ${JSON.stringify(mode)} (run, probe-connect, probe-http)`);
}

main().then(
  (r) => {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    process.exit(0);
  },
  (e: unknown) => {
    process.stdout.write(
      `${JSON.stringify({ ok: false, error: e instanceof Error ? e.message : String(e) })}\n`,
    );
    process.exit(0);
  },
);
