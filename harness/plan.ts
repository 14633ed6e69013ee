/**
 * `harness plan`: the exact scripts to measure one option on two real hosts as the study did.
 * cnisim does not deploy the network option (flannel, ipvlan...): the option must already be in
 * place, and `target` is the address nginx answers on (pod IP, or host IP for net-host).
 *
 * Files (all plain POSIX sh):
 *   snap.sh    copy to both hosts: dumps the counter and tuning files (counters/dump.ts);
 *   tune.sh    the tuning step on each host, `tune.sh server|client [show|apply|revert]`: the role
 *              picks the host's interface and the direction of its NOTRACK rules (the client's are
 *              the server's reversed), so each host gets rules that match its traffic;
 *   server.sh  on the server (in the nginx pod for pod options): writes nginx.conf, sizes the
 *              two files with a real request so /r350 is exactly 350 bytes, starts nginx;
 *   client.sh  on the client (in the tcpkali pod): every step in interleaved order, each with a
 *              snapshot on both hosts before and after (server over ssh) and the tcpkali log;
 *   import     `cnisim harness import <dir> --out runs/` turns the collected steps into records.
 * Without `target`, the load goes to the server host's address: right for net-host only. For a pod
 * option that measures host-to-host traffic under the option's name, so the plan warns
 * (`warnings`; a hostPort or NodePort on the host address is the one case where it is meant).
 */
import { z } from 'zod';
import { interleaveSteps } from './lab-run.ts';
import type { LabOption } from './lab/layout.ts';
import { snapshotScript } from './counters/dump.ts';
import { nginxConfig } from './nginx/config.ts';
import {
  LARGE_BODY_BYTES,
  LARGE_PATH,
  SMALL_PATH,
  SMALL_RESPONSE_BYTES,
  httpRequest,
} from './nginx/server.ts';
import { shellLine, shellQuote } from './shell.ts';
import { buildTcpkaliCommand } from './tcpkali/command.ts';

export interface PlanInput {
  server: string;
  client: string;
  /** Any option id; lab ids are not required on real hosts (e.g. flannel-aws-vpc). */
  option: string;
  /** Driver of the pod interface on the targets, as records should say it. */
  driver: string;
  rates: number[];
  repeat: number;
  connections: number;
  duration_s: number;
  /** Address and port tcpkali connects to (default `<server>:80`, with a warning for pod options). */
  target?: string;
  response: 'small' | 'large';
  workers: number;
  client_cpus?: string;
  nginx_cpus: number[];
  write_combine: boolean;
  server_interface: string;
  client_interface: string;
  nginx_dir: string;
}

/**
 * One step as client.sh writes it to `<step>/meta.json`; `harness import` reads it back through
 * this schema (a hand-edited or damaged file is refused naming the file and field).
 */
export const StepMeta = z.object({
  step_index: z.number().int().nonnegative(),
  repeat: z.number().int().nonnegative(),
  option: z.string(),
  driver: z.string(),
  server: z.string(),
  client: z.string(),
  server_interface: z.string(),
  client_interface: z.string(),
  requested_rps: z.number().positive(),
  connections: z.number().int().positive(),
  duration_s: z.number().positive(),
  request: z.string().min(1),
  response_path: z.string(),
  response_bytes: z.number().positive().nullable(),
  argv: z.array(z.string()),
  write_combine: z.boolean(),
  workers: z.number().int().positive(),
  cpus: z.string().optional(),
});
export type StepMeta = z.infer<typeof StepMeta>;

export interface Plan {
  files: Record<string, string>;
  steps: StepMeta[];
  /** Doubts about the plan, for stderr (never in the scripts' output). */
  warnings: string[];
}

/** The one option whose server is not a pod: its nginx answers on the host's own address. */
const HOST_NETWORK_OPTION = 'net-host';

/** Why a plan without a target would measure the wrong path; none for net-host or a given target. */
export function defaultTargetWarnings(option: string, server: string, target?: string): string[] {
  if (target !== undefined || option === HOST_NETWORK_OPTION) return [];
  return [
    `--option ${option} serves from a pod, but no --target was given: the load goes to the server host's address ${server}:80, so the records would measure host-to-host traffic labelled ${option}; give the nginx pod's address, e.g. --target 10.244.2.5:80 (keep the host address only if a hostPort or NodePort there leads to the pod)`,
  ];
}

export function buildPlan(input: PlanInput): Plan {
  const warnings = defaultTargetWarnings(input.option, input.server, input.target);
  const p = { ...input, target: input.target ?? `${input.server}:80` };
  const host = p.target.replace(/:\d+$/, '');
  const path = p.response === 'small' ? SMALL_PATH : LARGE_PATH;
  const request = httpRequest(path, host);
  const steps: StepMeta[] = interleaveSteps([p.option as LabOption], p.rates, p.repeat).map((s) => {
    const cmd = buildTcpkaliCommand({
      target: p.target,
      connections: p.connections,
      total_rps: s.rate_rps!,
      duration_s: p.duration_s,
      request,
      workers: p.workers,
      write_combine: p.write_combine,
      ...(p.client_cpus ? { taskset_cpus: p.client_cpus } : {}),
    });
    const meta: StepMeta = {
      step_index: s.index,
      repeat: s.repeat,
      option: p.option,
      driver: p.driver,
      server: p.server,
      client: p.client,
      server_interface: p.server_interface,
      client_interface: p.client_interface,
      requested_rps: s.rate_rps!,
      connections: p.connections,
      duration_s: p.duration_s,
      request,
      response_path: path,
      response_bytes: p.response === 'small' ? SMALL_RESPONSE_BYTES : null,
      argv: cmd.argv,
      write_combine: p.write_combine,
      workers: p.workers,
    };
    if (p.client_cpus) meta.cpus = p.client_cpus;
    return meta;
  });

  const d = p.nginx_dir.replace(/\/+$/, '');
  const conf = nginxConfig({
    dir: d,
    listen: p.target.includes(':') ? p.target : `${p.target}:80`,
    worker_cpus: p.nginx_cpus,
  });
  const url = `http://${p.target}`;
  const server = `#!/bin/sh
# cnisim harness plan: SERVER side (${p.server}), option ${p.option}. Run where nginx must answer
# ${p.target} (inside the server pod for pod options). Needs nginx and curl.
set -eu
D=${shellQuote(d)}
mkdir -p "$D/www" "$D/tmp-body" "$D/tmp-proxy"
cat > "$D/nginx.conf" <<'CNISIM_EOF'
${conf}CNISIM_EOF
fill() { head -c "$2" /dev/zero | tr '\\0' a > "$D/www/$1"; touch -d 2026-01-01T00:00:00Z "$D/www/$1"; }
fill r350 112
fill r4096 ${LARGE_BODY_BYTES}
nginx -t -c "$D/nginx.conf"
nginx -c "$D/nginx.conf"
# Size /r350 so the COMPLETE response (headers + body) is exactly ${SMALL_RESPONSE_BYTES} bytes.
i=0
while :; do
  set -- $(curl -s -o /dev/null -w '%{size_header} %{size_download} %{http_code}' ${url}${SMALL_PATH})
  [ "$3" = 200 ] || { echo "GET ${SMALL_PATH} answered $3" >&2; exit 1; }
  [ $(($1 + $2)) -eq ${SMALL_RESPONSE_BYTES} ] && break
  i=$((i + 1)); [ $i -lt 5 ] || { echo "cannot size ${SMALL_PATH} to ${SMALL_RESPONSE_BYTES} bytes" >&2; exit 1; }
  fill r350 $((${SMALL_RESPONSE_BYTES} - $1))
done
echo "nginx ready: ${SMALL_PATH} = ${SMALL_RESPONSE_BYTES} bytes, ${LARGE_PATH} = $(curl -s -o /dev/null -w '%{size_header}+%{size_download}' ${url}${LARGE_PATH}) bytes"
`;

  const port = /:(\d+)$/.exec(p.target)?.[1] ?? '80';
  const tune = `#!/bin/sh
# cnisim harness plan: tuning, on EACH host with its role (the role picks the interface and the
# direction of the NOTRACK rules: the server answers on port ${port}, the client connects to it):
#   on the server ${p.server}:  sh tune.sh server [show|apply|revert]    (interface ${p.server_interface})
#   on the client ${p.client}:  sh tune.sh client [show|apply|revert]    (interface ${p.client_interface})
# Needs a cnisim checkout on the host. Shows first (dry run); apply and revert restore exactly.
set -eu
usage() { echo "usage: tune.sh server|client [show|apply|revert]" >&2; exit 2; }
ROLE=\${1:-}
case "$ROLE" in
  server) IF=${shellQuote(p.server_interface)} ;;
  client) IF=${shellQuote(p.client_interface)} ;;
  *) usage ;;
esac
case "\${2:-show}" in
  show) npx cnisim harness tune --show --role "$ROLE" --interface "$IF" --port ${port} ;;
  apply) npx cnisim harness tune --apply --role "$ROLE" --interface "$IF" --port ${port} ;;
  revert) npx cnisim harness tune --revert ;;
  *) usage ;;
esac
`;

  const stepLines = steps.map((s) => {
    const dir = `${String(s.step_index).padStart(4, '0')}-${s.option.replace(/[^A-Za-z0-9_.-]/g, '_')}-${s.requested_rps}rps-r${s.repeat}`;
    return `step ${shellQuote(dir)} ${shellQuote(JSON.stringify(s))} ${shellLine(s.argv)}`;
  });
  const client = `#!/bin/sh
# cnisim harness plan: CLIENT side (${p.client}), option ${p.option}, ${steps.length} steps interleaved.
# Needs tcpkali, ssh access to the server as $SERVER, snap.sh copied to both hosts (in $SNAP).
# Counters: snap.sh on both hosts before and after each tcpkali run. Collect: $OUT, then
#   cnisim harness import "$OUT" --out runs/
set -u
SERVER=\${SERVER:-${shellQuote(p.server)}}
SNAP=\${SNAP:-./snap.sh}
OUT=\${OUT:-collect}
mkdir -p "$OUT"
tcpkali --version > "$OUT/tcpkali-version.txt" 2>&1 || { echo "tcpkali is not installed" >&2; exit 1; }
step() {
  d="$OUT/$1"; meta=$2; shift 2
  mkdir -p "$d"; printf '%s\\n' "$meta" > "$d/meta.json"
  sh "$SNAP" > "$d/client-before.txt"; ssh "$SERVER" sh "$SNAP" > "$d/server-before.txt"
  date -u +%Y-%m-%dT%H:%M:%S.%3NZ > "$d/started_at"
  "$@" > "$d/tcpkali.log" 2> "$d/tcpkali.stderr"; echo $? > "$d/tcpkali.exit"
  date -u +%Y-%m-%dT%H:%M:%S.%3NZ > "$d/ended_at"
  sh "$SNAP" > "$d/client-after.txt"; ssh "$SERVER" sh "$SNAP" > "$d/server-after.txt"
  echo "step $1 done (exit $(cat "$d/tcpkali.exit"))" >&2
}
${stepLines.join('\n')}
`;
  return {
    files: { 'snap.sh': snapshotScript(), 'tune.sh': tune, 'server.sh': server, 'client.sh': client },
    steps,
    warnings,
  };
}
