/**
 * `cnisim harness run|trace|plan|tune|schema|parse-tcpkali`: produces run records (harness/), the
 * input of calibration. `run --lab` measures in the namespace lab; `trace --lab` traces the lab with
 * ftrace (harness/trace/); `plan` prints the scripts for real target hosts; `tune` shows, applies or
 * reverts the study's tuning (dry run by default).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { InputError, UsageError } from '../errors.ts';
import { fileInTheWay, prepareOutDir } from '../out-file.ts';
import { registerHostFile } from '../harness-host-file.ts';
import { requireFsRoot } from '../harness-root.ts';
import { parseChoice, parseNumberList, parsePositive, parsePositiveInt } from '../parse.ts';
import { log, printJson, printTable } from '../output.ts';
import { createProgress } from '../progress.ts';
import { maxRateMethods, runLab } from '../../harness/lab-run.ts';
import { namespacesUsable } from '../../harness/lab/lab.ts';
import { checkTag, isLabOption, LAB_OPTIONS, type LabOption } from '../../harness/lab/layout.ts';
import { usableCpus } from '../../harness/allowed-cpus.ts';
import { nginxVersion } from '../../harness/nginx/server.ts';
import { haveCommand } from '../../harness/exec.ts';
import { detectTcpkali } from '../../harness/tcpkali/run.ts';
import { runRecordJsonSchema } from '../../harness/run-record.ts';
import { summarizeRecord } from '../../harness/summary.ts';
import { parseTcpkaliSummary } from '../../harness/tcpkali/parse.ts';
import { importStep, listStepDirs } from '../../harness/import.ts';
import { buildPlan } from '../../harness/plan.ts';
import { countRunRecordFiles, writeRunRecord } from '../../harness/run-record-io.ts';
import { localFs, readTuning } from '../../harness/tuning/readback.ts';
import { parseCpuListFlag } from '../../harness/cpulist.ts';
import {
  applyTuning,
  defaultStateFile,
  hostTopology,
  planTuning,
  revertTuning,
} from '../../harness/tuning/tune.ts';
import { formatLabTraceReport } from '../../harness/trace/format.ts';
import { runLabTrace } from '../../harness/trace/lab-trace.ts';
import { TracefsError, tracingUsable } from '../../harness/trace/tracefs.ts';

/**
 * Rates above this are refused unless --force: the highest rate cnisim-openloop was measured to
 * offer from one Node process on one core of a quiet 2-vCPU machine (docs/harness.md).
 */
export const OPENLOOP_MAX_RPS = 64_000;

function parseOptions(raw: string): LabOption[] {
  const ids = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new UsageError('--option: empty list');
  for (const id of ids)
    if (!isLabOption(id))
      throw new InputError('--option', id, `unknown option; one of ${LAB_OPTIONS.join(', ')}`);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined)
    throw new InputError('--option', raw, `${twice} is listed twice (use --repeat for repeats)`);
  return ids as LabOption[];
}

interface RunFlags {
  lab: boolean;
  option: string;
  rates: string;
  durationS: string;
  warmupS: string;
  repeat: string;
  connections: string;
  responseBytes: string;
  out: string;
  runId?: string;
  tag?: string;
  substitute: boolean;
  generatorCpus: string;
  nginxCpus: string;
  keepLab: boolean;
  rt: boolean;
  maxRate: boolean | string;
  maxRateStart?: string;
  searchRepeats?: string;
  searchDurationS?: string;
  order: string;
  generator: string;
  force: boolean;
  json: boolean;
}

export function register(program: Command): void {
  const harness = program
    .command('harness')
    .description('Measure real runs (namespace lab or target hosts) and write run records for calibration.')
    .addHelpText(
      'after',
      `
Examples:
  $ cnisim harness run --lab --option net-host,flannel-vxlan --rates 2000,5000,10000 --duration-s 10 --repeat 3 --out runs/lab1
  $ cnisim harness trace --lab --option net-host --rates 8000,16000
  $ cnisim harness plan --server 10.0.0.2 --client 10.0.0.1 --option flannel-host-gw --rates 50k:450k:100k
  $ cnisim harness tune --show --interface eth0
  $ cnisim harness host-file --id web-16 --interface eth0 --out hosts/web-16.yaml`,
    );

  harness
    .command('run')
    .description('Run steps in the namespace lab (--lab) and write one record per step into --out.')
    .option('--lab', 'measure in the namespace lab on this machine (needs root, nginx)', false)
    .requiredOption('--option <ids>', `comma-separated options: ${LAB_OPTIONS.join(', ')}`)
    .requiredOption('--rates <list>', 'total request rates, e.g. 2000,5000,10000 or 2000:10000:2000')
    .option('--duration-s <s>', 'measured seconds per step', '10')
    .option('--warmup-s <s>', 'seconds sent before measuring', '1')
    .option('--repeat <n>', 'repeats of every (option, rate) point', '1')
    .option('--connections <n>', 'persistent connections', '10')
    .option('--response-bytes <n>', '350 (complete response) or 4096 (body, plus headers)', '350')
    .requiredOption('--out <dir>', 'directory for the records (one JSON file per step)')
    .option('--run-id <id>', 'run identifier (default: derived from the time)')
    .option('--tag <tag>', "lab name tag: 1-12 lowercase letters or digits (in the lab's namespace names)")
    .option('--substitute', 'build macvlan where ipvlan is missing (records say option_used: macvlan)', false)
    .option('--generator-cpus <list>', 'CPUs for the generator (taskset), e.g. 0 or 0,2 or 0-1', '0')
    .option('--nginx-cpus <list>', 'CPUs for nginx workers, one worker each, e.g. 1 or 1-3', '1')
    .option(
      '--generator <name>',
      'open-loop generator: cnisim-openloop or tcpkali (when installed)',
      'cnisim-openloop',
    )
    .option(
      '--max-rate [method]',
      'add maximum-rate steps per option and repeat: wrk (closed loop, the default), open-loop (search: step the open-loop rate up, then bisect; each step a record) or both',
    )
    .option('--max-rate-start <rps>', 'open-loop search: first rate (default: the highest of --rates)')
    .option(
      '--search-repeats <n>',
      'run the open-loop searches in the first n repeats only (default: every repeat; wrk steps run in every repeat)',
    )
    .option('--search-duration-s <s>', 'measured seconds per open-loop search step (default: --duration-s)')
    .option(
      '--order <order>',
      "by-repeat: each repeat's steps, then its open-loop searches (the machine's drift falls on both alike); phases: all steps, then all searches",
      'by-repeat',
    )
    .option('--keep-lab', 'leave the labs up afterwards', false)
    .option(
      '--rt',
      'run generator and nginx under chrt -f 50 (less co-tenant noise; not for saturating rates)',
      false,
    )
    .option(
      '--force',
      `allow rates above ${OPENLOOP_MAX_RPS} requests/s (records say when the generator fell behind)`,
      false,
    )
    .option('--json', 'print the records as JSON', false)
    .addHelpText(
      'after',
      `
Examples:
  $ cnisim harness run --lab --option net-host,flannel-host-gw --rates 2000,5000 --duration-s 5 --out runs/x --json
  # the lab check's design (docs/calibration.md, "The lab's noise"): five repeats of 10 s steps,
  # open-loop maximum-rate searches of 5 s steps in the first three repeats
  $ cnisim harness run --lab --option net-host,flannel-host-gw,flannel-vxlan --rates 4000,8000,32000 \\
      --repeat 5 --max-rate open-loop --search-repeats 3 --search-duration-s 5 --out runs/lab`,
    )
    .action(async (f: RunFlags) => {
      if (!f.lab)
        throw new UsageError(
          'harness run measures in the namespace lab only (--lab); for target hosts use `cnisim harness plan`',
        );
      const options = parseOptions(f.option);
      const rates = parseNumberList('--rates', f.rates, { unique: true });
      for (const r of rates) {
        if (!(r > 0)) throw new InputError('--rates', r, 'must be greater than 0');
        if (r > OPENLOOP_MAX_RPS && !f.force)
          throw new InputError(
            '--rates',
            r,
            `is above what cnisim-openloop can offer from one process on one core here (about ${OPENLOOP_MAX_RPS} requests/s measured); use tcpkali or wrk on real hosts, or --force`,
          );
      }
      const order = parseChoice('--order', f.order, ['by-repeat', 'phases'] as const);
      const response = f.responseBytes === '350' ? 'small' : f.responseBytes === '4096' ? 'large' : null;
      if (!response) throw new InputError('--response-bytes', f.responseBytes, 'must be 350 or 4096');
      const duration_s = parsePositive('--duration-s', f.durationS);
      const warmup_s = Number(f.warmupS);
      if (!(warmup_s >= 0)) throw new InputError('--warmup-s', f.warmupS, 'must be 0 or more');
      const repeat = parsePositiveInt('--repeat', f.repeat);
      const connections = parsePositiveInt('--connections', f.connections);
      // CPUs this machine lacks left nginx unpinned (recorded as pinned) and failed every generator step.
      const allowed = usableCpus();
      const nginx_cpus = parseCpuListFlag('--nginx-cpus', f.nginxCpus, allowed);
      parseCpuListFlag('--generator-cpus', f.generatorCpus, allowed);
      if (f.tag !== undefined) checkTag(f.tag);
      if (f.runId !== undefined && f.runId.trim() === '')
        throw new InputError('--run-id', f.runId, 'must not be empty (every record carries it)');
      const maxRate =
        f.maxRate === undefined || f.maxRate === false
          ? false
          : f.maxRate === true
            ? 'wrk'
            : parseChoice('--max-rate', f.maxRate, ['wrk', 'open-loop', 'both'] as const);
      const methods = maxRateMethods(maxRate);
      const maxRateStart = f.maxRateStart ? parsePositive('--max-rate-start', f.maxRateStart) : undefined;
      const searchRepeats =
        f.searchRepeats === undefined ? repeat : parsePositiveInt('--search-repeats', f.searchRepeats);
      if (searchRepeats > repeat)
        throw new InputError('--search-repeats', f.searchRepeats, `must be at most --repeat (${repeat})`);
      const searchDuration_s =
        f.searchDurationS === undefined ? undefined : parsePositive('--search-duration-s', f.searchDurationS);
      if (!methods.openLoop && (f.searchRepeats !== undefined || searchDuration_s !== undefined))
        throw new UsageError('--search-repeats and --search-duration-s need --max-rate open-loop (or both)');
      refuseUsedOut(f.out);
      prepareOutDir('--out', f.out);
      const u = namespacesUsable();
      if (!u.ok)
        throw new InputError('--lab', 'network namespaces', `${u.reason} (the lab needs root and iproute2)`);
      if (nginxVersion() === null)
        throw new InputError('--lab', 'nginx', 'nginx is not installed (apt-get install nginx-light)');
      const run_id = f.runId ?? `lab-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      if (methods.wrk && !haveCommand('wrk'))
        throw new InputError('--max-rate', 'wrk', 'wrk is not installed (apt-get install wrk)');
      let tcpkali: { binary: string; version: string } | undefined;
      if (f.generator === 'tcpkali') {
        const d = detectTcpkali();
        if (!d.found) throw new InputError('--generator', 'tcpkali', d.reason);
        tcpkali = { binary: d.binary, version: d.version };
      } else if (f.generator !== 'cnisim-openloop')
        throw new InputError('--generator', f.generator, 'must be cnisim-openloop or tcpkali');
      // An open-loop search takes up to 14 steps per option and repeat (its bound).
      const total =
        options.length *
        ((rates.length + (methods.wrk ? 1 : 0)) * repeat + (methods.openLoop ? 14 * searchRepeats : 0));
      log(
        `harness: ${methods.openLoop ? 'up to ' : ''}${total} steps of ${duration_s} s (+${warmup_s} s warm-up) over ${options.join(', ')}${methods.openLoop ? ' (a search stops once its bracket is narrow enough)' : ''}; records in ${f.out}`,
      );
      const progress = createProgress('harness', total);
      const result = await runLab({
        options,
        rates,
        repeat,
        duration_s,
        warmup_s,
        connections,
        response,
        out: f.out,
        run_id,
        ...(f.tag ? { tag: f.tag } : {}),
        substitute: f.substitute,
        generator_cpus: f.generatorCpus,
        nginx_cpus,
        keep_lab: f.keepLab,
        rt: f.rt,
        max_rate: maxRate,
        order,
        search_repeats: searchRepeats,
        ...(maxRateStart || searchDuration_s
          ? {
              max_rate_search: {
                ...(maxRateStart ? { start_rps: maxRateStart } : {}),
                ...(searchDuration_s ? { duration_s: searchDuration_s } : {}),
              },
            }
          : {}),
        ...(tcpkali ? { tcpkali } : {}),
        log,
        progress: (done, _t, note) => progress.update(done, note),
      });
      progress.finish(`${result.records.length} records, ${result.failed.length} failed`);
      if (f.json) printJson({ run_id, out: f.out, records: result.records, failed: result.failed });
      else
        printTable(result.records.map(summarizeRecord), [
          { header: 'step', value: (s) => s.step },
          {
            header: 'option',
            value: (s) => (s.option === s.option_used ? s.option : `${s.option}->${s.option_used}`),
          },
          { header: 'rate_rps', value: (s) => s.rate_rps },
          { header: 'achieved_rps', value: (s) => s.achieved_rps, digits: 0 },
          { header: 'p50_ms', value: (s) => s.p50_ms, digits: 3 },
          { header: 'p99_ms', value: (s) => s.p99_ms, digits: 3 },
          { header: 'p99_9_ms', value: (s) => s.p99_9_ms, digits: 3 },
          { header: 'sched_p99_ms', value: (s) => s.sched_p99_ms, digits: 3 },
          { header: 'net_rx_per_req', value: (s) => s.net_rx_per_req, digits: 2 },
          { header: 'softnet_pkts_per_req', value: (s) => s.softnet_per_req, digits: 2 },
          { header: 'nginx_cpu_us_per_req', value: (s) => s.server_cpu_us_per_req, digits: 1 },
          { header: 'gen_cpu_us_per_req', value: (s) => s.generator_cpu_us_per_req, digits: 1 },
          { header: 'valid', value: (s) => (s.valid ? 'yes' : `NO: ${s.invalid_reason}`) },
        ]);
      // Steps without a record are a failed run (README, exit codes), however many others succeeded.
      if (result.failed.length > 0) {
        log(`harness: ${result.failed.length} step(s) wrote no record (reasons above); exit 1`);
        process.exitCode = 1;
      }
    });

  harness
    .command('trace')
    .description(
      'Trace the lab with ftrace: per rate, where nginx and the generator spend their time per operation and per wake-up.',
    )
    .option('--lab', 'trace the namespace lab on this machine (needs root, tracefs, nginx)', false)
    .requiredOption('--option <id>', `one option: ${LAB_OPTIONS.join(', ')}`)
    .requiredOption('--rates <list>', 'total request rates, e.g. 8000,16000')
    .option('--duration-s <s>', 'the window whose middle --trace-s seconds are traced', '3')
    .option('--trace-s <s>', 'seconds traced per rate (the generator measures exactly these)', '0.5')
    .option('--warmup-s <s>', 'seconds sent before that window', '1')
    .option('--connections <n>', 'persistent connections', '10')
    .option('--response-bytes <n>', '350 (complete response) or 4096 (body, plus headers)', '350')
    .option('--generator-cpus <list>', 'CPUs for the generator (taskset)', '0')
    .option('--nginx-cpus <list>', 'CPUs for nginx workers, one worker each', '1')
    .option('--buffer-kb <n>', 'ftrace ring buffer per CPU, KiB (grown to it, never shrunk)', '65536')
    .option('--lock-wait-s <s>', 'how long to wait for the lab lock /tmp/cnisim-lab.lock', '600')
    .option('--tag <tag>', 'lab name tag', 'trace')
    .option('--substitute', 'build macvlan where ipvlan is missing (reports say option_used: macvlan)', false)
    .option('--keep-trace <dir>', 'keep each raw trace in this directory')
    .option('--json', 'print an array of per-rate reports as JSON', false)
    .addHelpText(
      'after',
      `
Per rate the generator runs twice with the same settings, untraced then traced, its measured window
being the traced interval (the middle --trace-s of a --duration-s window), so its p50 with and without
tracing shows what tracing adds. Tracing inflates every traced operation: read the durations as upper
bounds. Takes the lab lock; restores tracefs and removes the lab afterwards, also on Ctrl-C.

Example:
  $ cnisim harness trace --lab --option net-host --rates 8000,16000 --duration-s 3 --trace-s 0.5 --json > trace.json`,
    )
    .action(
      async (f: {
        lab: boolean;
        option: string;
        rates: string;
        durationS: string;
        traceS: string;
        warmupS: string;
        connections: string;
        responseBytes: string;
        generatorCpus: string;
        nginxCpus: string;
        bufferKb: string;
        lockWaitS: string;
        tag: string;
        substitute: boolean;
        keepTrace?: string;
        json: boolean;
      }) => {
        if (!f.lab) throw new UsageError('harness trace traces the namespace lab only (--lab)');
        const options = parseOptions(f.option);
        if (options.length !== 1) throw new InputError('--option', f.option, 'trace one option at a time');
        const rates = parseNumberList('--rates', f.rates, { unique: true });
        for (const r of rates) {
          if (!(r > 0)) throw new InputError('--rates', r, 'must be greater than 0');
          if (r > OPENLOOP_MAX_RPS)
            throw new InputError(
              '--rates',
              r,
              `is above what cnisim-openloop can offer here (${OPENLOOP_MAX_RPS})`,
            );
        }
        const duration_s = parsePositive('--duration-s', f.durationS);
        const trace_s = parsePositive('--trace-s', f.traceS);
        if (trace_s > duration_s)
          throw new InputError('--trace-s', f.traceS, `must not exceed --duration-s (${duration_s})`);
        const warmup_s = Number(f.warmupS);
        if (!(warmup_s >= 0)) throw new InputError('--warmup-s', f.warmupS, 'must be 0 or more');
        const response = f.responseBytes === '350' ? 'small' : f.responseBytes === '4096' ? 'large' : null;
        if (!response) throw new InputError('--response-bytes', f.responseBytes, 'must be 350 or 4096');
        const connections = parsePositiveInt('--connections', f.connections);
        const buffer_kb = parsePositiveInt('--buffer-kb', f.bufferKb);
        const lock_wait_s = parsePositive('--lock-wait-s', f.lockWaitS);
        const usable = usableCpus();
        const nginx_cpus = parseCpuListFlag('--nginx-cpus', f.nginxCpus, usable);
        parseCpuListFlag('--generator-cpus', f.generatorCpus, usable);
        checkTag(f.tag);
        if (f.keepTrace) prepareOutDir('--keep-trace', f.keepTrace);
        const tr = tracingUsable();
        if (!tr.ok) throw new TracefsError(tr.reason);
        const u = namespacesUsable();
        if (!u.ok)
          throw new InputError(
            '--lab',
            'network namespaces',
            `${u.reason} (the lab needs root and iproute2)`,
          );
        if (nginxVersion() === null)
          throw new InputError('--lab', 'nginx', 'nginx is not installed (apt-get install nginx-light)');
        log(
          `harness trace: ${options[0]} at ${rates.join(', ')} requests/s, ${trace_s} s traced per rate (two generator runs per rate)`,
        );
        const reports = await runLabTrace({
          option: options[0]!,
          rates,
          duration_s,
          trace_s,
          warmup_s,
          connections,
          response,
          generator_cpus: f.generatorCpus,
          nginx_cpus,
          buffer_kb,
          lock_wait_s,
          tag: f.tag,
          substitute: f.substitute,
          ...(f.keepTrace ? { keep_trace_dir: f.keepTrace } : {}),
          log,
        });
        if (f.json) printJson(reports);
        else process.stdout.write(reports.map(formatLabTraceReport).join('\n'));
      },
    );

  harness
    .command('plan')
    .description('Print the exact scripts to measure an option on two real hosts with tcpkali and nginx.')
    .requiredOption('--server <host>', 'server host (ssh name or address)')
    .requiredOption('--client <host>', 'client host')
    .requiredOption('--option <id>', 'the network option deployed on the hosts (e.g. flannel-host-gw)')
    .requiredOption('--rates <list>', 'total request rates, e.g. 50k:450k:100k')
    .option('--driver <name>', 'pod interface driver on the hosts (default: from the option)')
    .option(
      '--target <ip:port>',
      'address nginx answers on: the nginx pod IP, or the host IP for net-host (default <server>:80, for net-host; a pod option warns without it)',
    )
    .option('--connections <n>', 'persistent connections (the study: about 60k)', '3000')
    .option('--duration-s <s>', 'seconds per step', '30')
    .option('--repeat <n>', 'repeats of every rate', '3')
    .option('--response-bytes <n>', '350 or 4096', '350')
    .option('--workers <n>', 'tcpkali workers (-w)', '18')
    .option('--client-cpus <list>', 'taskset CPU list for tcpkali (the study: 0-17)')
    .option('--nginx-cpus <list>', 'nginx worker CPUs on the server, one worker each, e.g. 0-17', '0-17')
    .option('--write-combine <on|off>', "tcpkali --write-combine (tcpkali's default: on)", 'on')
    .option('--server-interface <if>', 'NIC carrying the traffic on the server', 'eth0')
    .option('--client-interface <if>', 'NIC carrying the traffic on the client', 'eth0')
    .option('--nginx-dir <dir>', 'where server.sh puts nginx files', '/tmp/cnisim-nginx')
    .option('--write-dir <dir>', 'write the scripts into this directory instead of printing them')
    .option('--json', 'print {files, steps} as JSON', false)
    .addHelpText(
      'after',
      '\nExamples:\n  $ cnisim harness plan --server 10.0.0.2 --client 10.0.0.1 --option flannel-host-gw --target 10.244.2.5:80 --rates 50k:450k:100k --write-dir plan/\n  $ cnisim harness plan --server 10.0.0.2 --client 10.0.0.1 --option net-host --rates 50k:450k:100k --write-dir plan/\nThen on each host: sh tune.sh server (on the server) or sh tune.sh client (on the client), [show|apply|revert].',
    )
    .action(
      (o: {
        server: string;
        client: string;
        option: string;
        rates: string;
        driver?: string;
        target?: string;
        connections: string;
        durationS: string;
        repeat: string;
        responseBytes: string;
        workers: string;
        clientCpus?: string;
        nginxCpus: string;
        writeCombine: string;
        serverInterface: string;
        clientInterface: string;
        nginxDir: string;
        writeDir?: string;
        json: boolean;
      }) => {
        const rates = parseNumberList('--rates', o.rates, { unique: true });
        for (const r of rates) if (!(r > 0)) throw new InputError('--rates', r, 'must be greater than 0');
        if (o.writeCombine !== 'on' && o.writeCombine !== 'off')
          throw new InputError('--write-combine', o.writeCombine, 'must be on or off');
        const response = o.responseBytes === '350' ? 'small' : o.responseBytes === '4096' ? 'large' : null;
        if (!response) throw new InputError('--response-bytes', o.responseBytes, 'must be 350 or 4096');
        const drivers: Record<string, string> = {
          'net-host': 'none',
          'flannel-host-gw': 'veth+bridge',
          'flannel-aws-vpc': 'veth+bridge',
          'flannel-vxlan': 'vxlan',
          ipvlan: 'ipvlan',
          macvlan: 'macvlan',
        };
        const driver = o.driver ?? drivers[o.option];
        if (!driver)
          throw new InputError(
            '--driver',
            o.option,
            'unknown option: say which driver the pods use with --driver',
          );
        const plan = buildPlan({
          server: o.server,
          client: o.client,
          option: o.option,
          driver,
          rates,
          repeat: parsePositiveInt('--repeat', o.repeat),
          connections: parsePositiveInt('--connections', o.connections),
          duration_s: parsePositive('--duration-s', o.durationS),
          ...(o.target !== undefined ? { target: o.target } : {}),
          response,
          workers: parsePositiveInt('--workers', o.workers),
          ...(o.clientCpus ? { client_cpus: o.clientCpus } : {}),
          nginx_cpus: parseCpuListFlag('--nginx-cpus', o.nginxCpus),
          write_combine: o.writeCombine === 'on',
          server_interface: o.serverInterface,
          client_interface: o.clientInterface,
          nginx_dir: o.nginxDir,
        });
        for (const w of plan.warnings) log(`harness plan: warning: ${w}`);
        if (o.writeDir) {
          prepareOutDir('--write-dir', o.writeDir);
          for (const [name, text] of Object.entries(plan.files))
            writeFileSync(join(o.writeDir, name), text, { mode: 0o755 });
          log(
            `harness plan: wrote ${Object.keys(plan.files).join(', ')} into ${o.writeDir} (${plan.steps.length} steps)`,
          );
        }
        if (o.json) printJson(plan);
        else if (!o.writeDir)
          for (const [name, text] of Object.entries(plan.files))
            process.stdout.write(`# ===== ${name} =====\n${text}\n`);
      },
    );

  harness
    .command('import')
    .description("Turn the step directories collected by plan's client.sh into run records.")
    .argument('<dir>', 'the collect directory ($OUT of client.sh)')
    .requiredOption('--out <dir>', 'directory for the records')
    .option('--run-id <id>', 'run identifier (default: the collect directory name)')
    .option('--json', 'print the records as JSON', false)
    .addHelpText('after', '\nExample:\n  $ cnisim harness import collect/ --out runs/hostgw-1')
    .action((dir: string, o: { out: string; runId?: string; json: boolean }) => {
      refuseUsedOut(o.out);
      let steps: string[];
      try {
        steps = listStepDirs(dir);
      } catch (e) {
        throw new InputError('dir', dir, (e as NodeJS.ErrnoException).code ?? 'cannot read');
      }
      if (steps.length === 0) throw new InputError('dir', dir, 'holds no step directories (with meta.json)');
      const runId = o.runId ?? dir.replace(/\/+$/, '').split('/').pop() ?? 'target';
      const records = steps.map((s) => importStep(s, runId));
      for (const r of records) writeRunRecord(o.out, r);
      if (o.json) printJson(records);
      else
        printTable(records.map(summarizeRecord), [
          { header: 'step', value: (s) => s.step },
          { header: 'option', value: (s) => s.option },
          { header: 'rate_rps', value: (s) => s.rate_rps },
          { header: 'achieved_rps', value: (s) => s.achieved_rps, digits: 0 },
          { header: 'p99_ms', value: (s) => s.p99_ms, digits: 1 },
          { header: 'valid', value: (s) => (s.valid ? 'yes' : `NO: ${s.invalid_reason}`) },
        ]);
    });

  harness
    .command('tune')
    .description("Show (default, a dry run), apply or revert the study's tuning on this host.")
    .option('--show', 'show current and planned values (default)', false)
    .option('--apply', 'write the planned values, saving the previous ones', false)
    .option('--revert', 'restore the saved values exactly', false)
    .option('--interface <if>', 'the NIC carrying the traffic', 'eth0')
    .option('--port <n>', 'HTTP port for the NOTRACK rules', '80')
    .option('--role <role>', 'server or client (direction of the NOTRACK rules)', 'server')
    .option('--irq-cpus <list>', 'CPUs for the queue IRQs, e.g. 0,9 (default: first CPU of each NUMA node)')
    .option(
      '--rps-cpus <list>',
      'RPS target CPUs, e.g. 1-8,10-17 (default: first hyperthread of every core but the IRQ CPUs)',
    )
    .option('--root <dir>', 'filesystem root (tests use a fake one)', '/')
    .option(
      '--state <file>',
      'where the previous values are saved (default <root>/var/lib/cnisim/tune-saved.json)',
    )
    .option('--json', 'print JSON', false)
    .addHelpText(
      'after',
      '\nExamples:\n  $ cnisim harness tune --interface eth0\n  $ cnisim harness tune --apply --interface eth0 --role client\n  $ cnisim harness tune --revert    # nothing saved: says so on stderr, exit 0',
    )
    .action(
      (o: {
        show: boolean;
        apply: boolean;
        revert: boolean;
        interface: string;
        port: string;
        role: string;
        irqCpus?: string;
        rpsCpus?: string;
        root: string;
        state?: string;
        json: boolean;
      }) => {
        if (Number(o.apply) + Number(o.revert) + Number(o.show) > 1)
          throw new UsageError('give one of --show, --apply, --revert');
        // The root first, so a wrong one is blamed on --root, also for --revert.
        requireFsRoot(o.root);
        const state = o.state ?? defaultStateFile(o.root);
        if (o.revert) {
          // Nothing saved is success (a note, exit 0): the host already has the values cnisim
          // found, and a cleanup step may revert twice.
          const r = revertTuning(o.root, state);
          if (!r.reverted) log(`harness tune: nothing to revert (no saved tuning at ${state})`);
          if (o.json) printJson(r);
          else if (r.reverted)
            log(
              `harness tune: restored ${r.restored} values${r.commands_run.length ? ` and removed ${r.commands_run.length} NOTRACK rules` : ''}`,
            );
          return;
        }
        if (o.role !== 'server' && o.role !== 'client')
          throw new InputError('--role', o.role, 'must be server or client');
        const online = hostTopology(o.root).cpus;
        if (online.length === 0)
          throw new InputError('--root', o.root, 'has no readable sys/devices/system/cpu/online');
        const input = {
          interface: o.interface,
          root: o.root,
          port: parsePositiveInt('--port', o.port),
          role: o.role as 'server' | 'client',
          ...(o.irqCpus ? { irq_cpus: parseCpuListFlag('--irq-cpus', o.irqCpus, online) } : {}),
          ...(o.rpsCpus ? { rps_cpus: parseCpuListFlag('--rps-cpus', o.rpsCpus, online) } : {}),
        };
        let plan: ReturnType<typeof planTuning>;
        try {
          plan = planTuning(input);
        } catch (e) {
          if (e instanceof InputError) throw e;
          throw new InputError('--interface', o.interface, e instanceof Error ? e.message : String(e));
        }
        for (const w of plan.warnings) log(`harness tune: ${w}`);
        for (const k of plan.kept)
          log(`harness tune: ${k.path} ${k.current} already sufficient (>= ${k.value}): kept (${k.what})`);
        if (o.apply) {
          if (existsSync(state))
            throw new InputError(
              '--state',
              state,
              'exists: tuning already applied; run --revert first, so the original values are kept',
            );
          const r = applyTuning(plan, input, state);
          if (o.json) printJson(r);
          else
            log(
              `harness tune: wrote ${r.written.length} values (previous saved in ${r.state_file}); revert with --revert`,
            );
          return;
        }
        const current = readTuning(localFs(o.root), { interfaces: [o.interface] });
        const now = (path: string) => {
          try {
            return readFileSync(join(o.root, path), 'utf8').trim().replace(/\s+/g, ' ');
          } catch {
            return null;
          }
        };
        const rows = plan.writes.map((w) => ({ ...w, current: now(w.path) }));
        if (o.json) printJson({ plan, current });
        else {
          printTable(rows, [
            { header: 'path', value: (r) => r.path },
            { header: 'current', value: (r) => r.current },
            { header: 'planned', value: (r) => r.value },
            { header: 'what', value: (r) => r.what },
          ]);
          for (const c of plan.notrack_apply) log(`harness tune: would run: ${c.join(' ')}`);
          log('harness tune: dry run; nothing written (use --apply)');
        }
      },
    );

  registerHostFile(harness);

  harness
    .command('schema')
    .description('Print the JSON Schema of a run record.')
    .addHelpText('after', '\nExample:\n  $ cnisim harness schema > run-record.schema.json')
    .action(() => printJson(runRecordJsonSchema()));

  harness
    .command('parse-tcpkali')
    .description("Parse a tcpkali log's final summary (every format from 0.7 to 1.1+).")
    .argument('<file>', 'tcpkali output (stdout, or stdout and stderr combined)')
    .option('--json', 'print JSON', false)
    .addHelpText('after', '\nExample:\n  $ cnisim harness parse-tcpkali run.log --json')
    .action((file: string, o: { json: boolean }) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new InputError('file', file, (e as NodeJS.ErrnoException).code ?? 'cannot read');
      }
      const s = parseTcpkaliSummary(text, file);
      if (o.json) printJson(s);
      else {
        log(`${file}: tcpkali format ${s.format}, ${s.duration_s} s`);
        printTable(
          s.latencies.flatMap((l) => l.points.map((p) => ({ kind: l.kind, ...p }))),
          [
            { header: 'kind', value: (r) => r.kind },
            { header: 'percentile', value: (r) => r.label },
            { header: 'latency_ms', value: (r) => r.ms, digits: 1 },
          ],
        );
      }
    });
}

/**
 * Records are never overwritten: a run goes into a directory that holds none yet (checked before any
 * step). A file where the directory or one of its parents should be is refused here too, before any
 * work, instead of failing at the first write.
 */
export function refuseUsedOut(dir: string): void {
  const file = fileInTheWay(dir);
  if (file !== null)
    throw new InputError(
      '--out',
      dir,
      `${file === resolve(dir) ? 'is a file' : `${file} is a file`}, not a directory: give a directory for the run records`,
    );
  const n = countRunRecordFiles(dir);
  if (n > 0)
    throw new InputError(
      '--out',
      dir,
      `already holds ${n} run record(s): write this run into a new directory (records are never overwritten)`,
    );
}
