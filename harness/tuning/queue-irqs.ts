/**
 * Which lines of /proc/interrupts are the NIC's receive-queue IRQs, one rule for `harness tune`
 * (which pins them) and `harness host-file` (which reads where they are pinned):
 *   - named after the interface, as most physical NICs' drivers do (`eth0-TxRx-0`, `eth0-rx-1`);
 *   - or after its virtio device's inputs (`virtio2-input.0`): virtio-net names its IRQs after the
 *     device behind /sys/class/net/<if>/device, never after the interface, so a VM's NIC would
 *     otherwise show no queue IRQ at all.
 * The queue number is the name's trailing number (`-TxRx-1`, `-input.0`); a line without one (a
 * driver's link or config IRQ, `eth0`) belongs to no queue.
 */
import { readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface QueueIrqLine {
  irq: number;
  /** The action name as /proc/interrupts prints it. */
  name: string;
  /** Queue number read off the name; undefined for a line of no queue. */
  queue?: number;
}

/** The device behind the interface (`virtio2`), from its sysfs link; undefined when it has none (lo, veth). */
export function nicDevice(root: string, iface: string): string | undefined {
  try {
    return basename(readlinkSync(join(root, 'sys/class/net', iface, 'device')));
  } catch {
    return undefined;
  }
}

/** Action names of the interface's queue IRQs: the interface's own, or its virtio device's inputs. */
export function queueIrqPattern(iface: string, device?: string): RegExp {
  return new RegExp(`^${escapeRegex(iface)}\\b|^${device ? `${escapeRegex(device)}-input` : '$^'}`);
}

/** The lines of /proc/interrupts whose action name matches `pattern`, in file order. */
export function queueIrqLines(interrupts: string, pattern: RegExp): QueueIrqLine[] {
  const out: QueueIrqLine[] = [];
  for (const l of interrupts.split('\n')) {
    const m = /^\s*(\d+):.*\s(\S+)\s*$/.exec(l);
    if (!m || !pattern.test(m[2]!)) continue;
    const line: QueueIrqLine = { irq: Number(m[1]), name: m[2]! };
    const q = /(?:[-.](?:TxRx|rx|tx|input|output|queue)?[-.]?)(\d+)$/i.exec(m[2]!);
    if (q) line.queue = Number(q[1]);
    out.push(line);
  }
  return out;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
