/**
 * `cnisim harness host-file`: writes a host file for the model from what this machine's /proc, /sys
 * and ethtool say (harness/host-file.ts), checked by loading it as the model would. YAML on stdout,
 * or into --out (its folders created; never over an existing file); what was not read and the
 * assumptions go into the file's header comments and to stderr.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import YAML from 'yaml';
import { haveCommand, tryRun } from '../harness/exec.ts';
import { hostFile } from '../harness/host-file.ts';
import { readHostFacts } from '../harness/hostinfo.ts';
import { nicDevice, queueIrqPattern } from '../harness/tuning/queue-irqs.ts';
import { localFs } from '../harness/tuning/readback.ts';
import { loadHost } from '../model/load.ts';
import { InputError, UsageError } from './errors.ts';
import { requireFsRoot } from './harness-root.ts';
import { log } from './output.ts';
import { VERSION } from './version.ts';

export function registerHostFile(harness: Command): void {
  harness
    .command('host-file')
    .description("Write a host file for the model from this machine's CPUs, NIC queues, IRQs and steering")
    .requiredOption('--id <id>', 'the host id results are labelled with (letters, digits, . _ -)')
    .option('--interface <if>', 'the NIC carrying the traffic', 'eth0')
    .option('--base <id|file>', 'host profile whose costs and timers it inherits', 'c4.8xlarge')
    .option(
      '--irq-pattern <regex>',
      "names of the NIC's receive-queue IRQs in /proc/interrupts (default: the interface, or its virtio device's inputs)",
    )
    .option('--out <file>', 'write the file here (refused if it exists) instead of stdout')
    .option('--root <dir>', 'filesystem root (tests use a fake one)', '/')
    .addHelpText(
      'after',
      `
Examples:
  $ cnisim harness host-file --id web-16 --interface eth0 --out hosts/web-16.yaml
  $ cnisim simulate --host hosts/web-16.yaml --option flannel-vxlan --rate 100k --response-bytes 350

Read: CPUs, NUMA nodes, hyperthread siblings; the interface's queues, each receive queue's IRQ CPU,
RPS/RFS/XPS, netdev_max_backlog and NAPI budgets, ring size and moderation (ethtool), line rate.
Not readable, so the base's: CPU costs, TCP timers, wake-up and stalls, propagation and jitter
(calibrate them on runs of this host: docs/calibration.md). Assumed: nginx and the generator with
one worker per core; set apps.* to your deployment. Run it on the server host.`,
    )
    .action(
      (o: {
        id: string;
        interface: string;
        base: string;
        irqPattern?: string;
        out?: string;
        root: string;
      }) => {
        if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/.test(o.id))
          throw new InputError(
            '--id',
            o.id,
            'letters, digits, ".", "_" and "-", starting with a letter or digit',
          );
        if (o.out !== undefined && existsSync(o.out))
          throw new InputError('--out', o.out, 'exists: host files are not overwritten; choose another name');
        let irqPattern: RegExp | undefined;
        if (o.irqPattern !== undefined)
          try {
            irqPattern = new RegExp(o.irqPattern);
          } catch (e) {
            throw new UsageError(`--irq-pattern: not a regular expression: ${(e as Error).message}`);
          }
        loadHost(o.base, '--base');
        requireFsRoot(o.root);
        const facts = readHostFacts(o.root);
        if (!(facts.cpus > 0))
          throw new InputError(
            '--root',
            o.root,
            'cannot read the online CPUs (sys/devices/system/cpu/online)',
          );
        const local = o.root === '/';
        const ethtool = (flag: string) => {
          if (!local || !haveCommand('ethtool')) return undefined;
          const r = tryRun(['ethtool', flag, o.interface]);
          return r.status === 0 ? r.stdout : undefined;
        };
        const device = nicDevice(o.root, o.interface);
        const pattern = irqPattern ?? queueIrqPattern(o.interface, device);
        let made: ReturnType<typeof hostFile>;
        try {
          made = hostFile({
            view: localFs(o.root),
            facts,
            interface: o.interface,
            id: o.id,
            base: o.base,
            irqPattern: pattern,
            ...(ethtool('-g') !== undefined ? { ethtoolRing: ethtool('-g')! } : {}),
            readOn: `${hostname()} on ${new Date().toISOString().slice(0, 10)}`,
          });
        } catch (e) {
          throw new InputError('--interface', o.interface, (e as Error).message);
        }
        const text = [
          `# A host file for cnisim, read off ${hostname()} by \`cnisim harness host-file\` (cnisim ${VERSION}).`,
          '# Not read, or assumed (check these):',
          ...made.notes.map((n) => `#   - ${n}`),
          `# Use: npx cnisim simulate --host <this file> --option flannel-vxlan --rate 100k --response-bytes 350`,
          YAML.stringify(made.data, { lineWidth: 0 }).trimEnd(),
          '',
        ].join('\n');
        for (const n of made.notes) log(`harness host-file: ${n}`);
        // Checked as the model reads it (the base resolved), before anything is written.
        const dir = mkdtempSync(join(tmpdir(), 'cnisim-host-file-'));
        const probe = join(dir, 'host.yaml');
        try {
          writeFileSync(probe, text);
          loadHost(probe, 'host file as read');
        } catch (e) {
          const irqRead = (made.data.nic as { irq_cpus?: string } | undefined)?.irq_cpus !== undefined;
          throw refusal(e, probe, irqRead ? null : { pattern, ...o });
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
        if (o.out !== undefined) writeOut(o.out, text);
        else process.stdout.write(text);
      },
    );
}

/**
 * The host file would not load: the reason, without the temporary file it was checked in (gone by
 * the time the user reads it); when the queue IRQs were not found (the usual cause: the base's
 * nic.irq_cpus name CPUs this host lacks), blamed on the flag that chose them.
 */
function refusal(
  e: unknown,
  probe: string,
  noIrq: { pattern: RegExp; interface: string; irqPattern?: string } | null,
): Error {
  if (!(e instanceof InputError)) return e instanceof Error ? e : new Error(String(e));
  const reason = e.reason.split(`: set them in ${probe}`).join('').split(probe).join('the host file');
  if (noIrq === null)
    return new InputError(e.field, e.value, `${reason} (the host file would not load; nothing written)`);
  const flag = noIrq.irqPattern !== undefined ? '--irq-pattern' : '--interface';
  return new InputError(
    flag,
    noIrq.irqPattern ?? noIrq.interface,
    `no IRQ of every receive queue of ${noIrq.interface} matched ${noIrq.pattern} in /proc/interrupts, so nic.irq_cpus would be the base's, and the file would not load: ${reason}; rerun with --irq-pattern matching the names of the queue IRQs (or --interface naming the NIC); nothing written`,
  );
}

/** Writes --out, creating its folders, never over an existing file. */
function writeOut(out: string, text: string): void {
  try {
    mkdirSync(dirname(out), { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'a file is in the way' : (code ?? String(e));
    throw new InputError('--out', out, `cannot create its folder ${dirname(out)}: ${why}`);
  }
  try {
    writeFileSync(out, text, { flag: 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(
      '--out',
      out,
      code === 'EEXIST'
        ? 'exists: host files are not overwritten; choose another name'
        : `cannot write (${code ?? e})`,
    );
  }
  log(`harness host-file: wrote ${out}`);
}
