/**
 * The seed study's tuning questions answered by simulation, each as variants of one baseline
 * point changed through `set` overrides (the same paths `cnisim simulate --set` takes): RPS on or
 * off, where the NIC interrupts go, interrupt coalescing, nginx worker counts, MTU. A variant the
 * model rejects (an override path it does not know) is reported as not answerable, not as an
 * error, so the report stays whole while the model grows.
 */
import { InputError } from '../../cli/errors.ts';
import { pairedDifference } from '../../sim/compare.ts';
import type { SimResult } from '../../sim/result.ts';
import { responseLabel } from '../charts/theme.ts';
import { whatIfSpec, type WhatIfPoint } from '../charts/what-if-dots.ts';
import { withoutWallClock } from '../lib/simulator.ts';
import type { Block, Cell, Table } from '../lib/types.ts';
import { writeReport } from '../lib/write-report.ts';
import { createProgress } from '../../cli/progress.ts';
import { formatCpuList, parseCpuMask } from '../../model/cpu-mask.ts';
import { loadHost } from '../../model/load.ts';
import type { HostProfile } from '../../model/schema/host.ts';
import {
  differenceCell,
  BUDGET,
  HOST,
  precisionText,
  type StudyOptions,
  type StudyOutcome,
  type Context,
  latencyOf,
  withContext,
} from './common.ts';

export interface Variant {
  label: string;
  set: string[];
}

export interface Question {
  id: string;
  question: string;
  option: string;
  rate_rps: number;
  response_bytes: number;
  /** The first variant is the baseline (the study's tuning, no overrides). */
  variants: Variant[];
}

/** The questions, as data: add a question here, not in the code below. */
export const QUESTIONS: Question[] = [
  {
    id: 'rps',
    question: 'RPS/RFS: spread receive processing to other CPUs, or keep it on the IRQ CPUs?',
    option: 'flannel-host-gw',
    rate_rps: 250_000,
    response_bytes: 350,
    variants: [
      { label: 'RPS on 1-8,10-17 (study)', set: [] },
      { label: 'RPS off', set: ['host.mechanisms.rps=false'] },
      // With RFS on, rps_cpus picks no CPU (every flow follows its reader): the mask matters by flow hash only.
      { label: 'RFS off (RPS by flow hash over 1-8,10-17)', set: ['host.mechanisms.rfs=false'] },
      {
        label: 'RFS off, RPS over 0-17 (incl. IRQ CPUs)',
        set: ['host.mechanisms.rfs=false', 'host.rps_cpus=0-17'],
      },
    ],
  },
  {
    id: 'irq',
    question: 'IRQ pinning: one interrupt CPU per NUMA node, or both queues on CPU 0?',
    option: 'flannel-host-gw',
    rate_rps: 250_000,
    response_bytes: 350,
    variants: [
      { label: 'IRQs on CPU 0 and 9 (study)', set: [] },
      { label: 'both IRQs on CPU 0', set: ['host.nic.irq_cpus=0,0'] },
    ],
  },
  {
    id: 'coalescing',
    question: 'Interrupt coalescing: adaptive, fixed, or off?',
    option: 'flannel-host-gw',
    rate_rps: 250_000,
    response_bytes: 350,
    variants: [
      { label: 'adaptive (study)', set: [] },
      { label: 'off', set: ['host.nic.coalescing=off'] },
      { label: 'fixed 10 µs', set: ['host.nic.coalescing=fixed', 'host.nic.rx_usecs=10'] },
      { label: 'fixed 50 µs', set: ['host.nic.coalescing=fixed', 'host.nic.rx_usecs=50'] },
      { label: 'fixed 100 µs', set: ['host.nic.coalescing=fixed', 'host.nic.rx_usecs=100'] },
    ],
  },
  {
    id: 'workers',
    question: 'nginx workers: one per CPU 0-17, fewer, or one per hyperthread?',
    option: 'flannel-host-gw',
    rate_rps: 250_000,
    response_bytes: 350,
    variants: [
      { label: '18 workers on 0-17 (study)', set: [] },
      { label: '9 workers on 1-8,10', set: ['host.apps.nginx.workers=9', 'host.apps.nginx.cpus=1-8,10'] },
      { label: '36 workers on 0-35', set: ['host.apps.nginx.workers=36', 'host.apps.nginx.cpus=0-35'] },
    ],
  },
  {
    id: 'mtu',
    question: 'MTU: 1500 or jumbo frames (9001 on EC2), for 4 KB responses?',
    option: 'flannel-host-gw',
    rate_rps: 150_000,
    response_bytes: 4096,
    variants: [
      { label: 'MTU 1500 (study)', set: [] },
      { label: 'MTU 9001', set: ['option.mtu=9001'] },
    ],
  },
];

/**
 * The questions for a host of your own (`study what-if --host`): the same five, with variants built
 * from its configuration (its RPS mask, IRQ CPUs, worker placement and moderation; the baseline is
 * the host as configured) at `rate_rps` and the 4 KB question at 0.6 of it (default: the study's
 * 250k and 150k scaled by its CPUs against the study's 36, in steps of 10k). The study's own host keeps the study's questions.
 */
export function questionsFor(host: HostProfile, rate_rps?: number): Question[] {
  const n = host.cpus.count;
  const scaled = (r: number) => Math.max(10_000, Math.round((r * n) / 36 / 10_000) * 10_000);
  const rate = rate_rps ?? scaled(250_000);
  // The 4 KB question keeps the study's ratio to the others (150k to 250k): 4 KB responses carry
  // 12 times the bytes, and at the 350 B rate they saturated both MTUs on a 16-vCPU host.
  const at = (r: number) => (r >= 10_000 ? Math.round(r / 1000) * 1000 : Math.max(1, Math.round(r)));
  const rate4k = rate_rps !== undefined ? at(rate_rps * 0.6) : scaled(150_000);
  // The study's host keeps the study's questions (--rate changes their rates, nothing else).
  if (host.id === HOST)
    return rate_rps === undefined
      ? QUESTIONS
      : QUESTIONS.map((q) => ({ ...q, rate_rps: q.response_bytes === 4096 ? rate4k : rate }));
  const cores = host.cpus.smt_sibling_offset > 0 ? range(host.cpus.smt_sibling_offset) : range(n);
  const irq = parseCpuMask(host.nic.irq_cpus);
  // Masks as CPU lists in the labels (a sysfs hex mask says little to a reader).
  const list = (mask: string) => formatCpuList(parseCpuMask(mask));
  const veth = host.nic.rx_cpu === 'sender';
  const spread = cores.filter((c) => !irq.includes(c));
  const m = host.mechanisms;
  const as = (what: string) => `${what} (as configured)`;
  const point = { option: 'flannel-host-gw', rate_rps: rate, response_bytes: 350 };
  const qs: Question[] = [
    {
      id: 'rps',
      question: 'RPS/RFS: spread receive processing to other CPUs, or keep it on the IRQ CPUs?',
      ...point,
      variants: m.rps
        ? [
            { label: as(`RPS on ${list(host.rps_cpus)}${m.rfs ? ' with RFS' : ''}`), set: [] },
            { label: 'RPS off', set: ['host.mechanisms.rps=false'] },
            ...(m.rfs
              ? [
                  {
                    label: `RFS off (RPS by flow hash over ${list(host.rps_cpus)})`,
                    set: ['host.mechanisms.rfs=false'],
                  },
                  {
                    label: `RFS off, RPS over ${formatCpuList(cores)}`,
                    set: ['host.mechanisms.rfs=false', `host.rps_cpus=${formatCpuList(cores)}`],
                  },
                ]
              : []),
          ]
        : [
            { label: as('RPS off'), set: [] },
            ...(spread.length > 0
              ? [
                  {
                    label: `RPS over ${formatCpuList(spread)} (by flow hash)`,
                    set: [
                      'host.mechanisms.rps=true',
                      'host.mechanisms.rfs=false',
                      `host.rps_cpus=${formatCpuList(spread)}`,
                    ],
                  },
                  {
                    // RFS steers each flow to its reader's CPU whatever the mask (the kernel needs
                    // only the flow tables): no rps_cpus, which would change nothing.
                    label: 'RPS with RFS (each flow to its reader’s CPU)',
                    set: ['host.mechanisms.rps=true', 'host.mechanisms.rfs=true'],
                  },
                ]
              : []),
          ],
    },
  ];
  // A veth receive (host.nic.rx_cpu=sender) takes no interrupt: no IRQ or moderation question.
  if (host.nic.queues >= 2 && !veth && new Set(irq).size > 1)
    qs.push({
      id: 'irq',
      question: `IRQ pinning: the queues' interrupts on ${list(host.nic.irq_cpus)}, or all on CPU ${irq[0]}?`,
      ...point,
      variants: [
        { label: as(`IRQs on ${list(host.nic.irq_cpus)}`), set: [] },
        {
          label: `all IRQs on CPU ${irq[0]}`,
          set: [`host.nic.irq_cpus=${Array(host.nic.queues).fill(irq[0]).join(',')}`],
        },
      ],
    });
  const moderation = [
    { label: 'adaptive', set: ['host.nic.coalescing=adaptive'] },
    { label: 'off', set: ['host.nic.coalescing=off'] },
    { label: 'fixed 10 µs', set: ['host.nic.coalescing=fixed', 'host.nic.rx_usecs=10'] },
    { label: 'fixed 50 µs', set: ['host.nic.coalescing=fixed', 'host.nic.rx_usecs=50'] },
    { label: 'fixed 100 µs', set: ['host.nic.coalescing=fixed', 'host.nic.rx_usecs=100'] },
  ];
  const current = host.nic.coalescing === 'fixed' ? `fixed ${host.nic.rx_usecs} µs` : host.nic.coalescing;
  if (!veth)
    qs.push({
      id: 'coalescing',
      question: 'Interrupt coalescing: adaptive, fixed, or off?',
      ...point,
      variants: [{ label: as(current), set: [] }, ...moderation.filter((v) => v.label !== current)],
    });
  const ng = host.apps.nginx;
  const ngCpus = parseCpuMask(ng.cpus);
  const half = Math.max(1, Math.ceil(ng.workers / 2));
  // Fewer workers stay off the IRQ CPUs where they can (as the study's 9 on 1-8,10), so the variant
  // changes how many workers there are, not also whether they share CPUs with the interrupts.
  const halfCpus = [...ngCpus.filter((c) => !irq.includes(c)), ...ngCpus.filter((c) => irq.includes(c))]
    .slice(0, half)
    .sort((a, b) => a - b);
  const workers = (k: number, cpus: string) => `${k} worker${k === 1 ? '' : 's'} on ${cpus}`;
  const fewer = half < ng.workers;
  const perCpu = n !== ng.workers || ngCpus.length !== n;
  if (fewer || perCpu)
    qs.push({
      id: 'workers',
      question: `nginx workers: ${workers(ng.workers, list(ng.cpus))}, fewer, or one per logical CPU?`,
      ...point,
      variants: [
        { label: as(workers(ng.workers, list(ng.cpus))), set: [] },
        ...(fewer
          ? [
              {
                label: workers(half, formatCpuList(halfCpus)),
                set: [`host.apps.nginx.workers=${half}`, `host.apps.nginx.cpus=${formatCpuList(halfCpus)}`],
              },
            ]
          : []),
        ...(perCpu
          ? [
              {
                label: workers(n, formatCpuList(range(n))),
                set: [`host.apps.nginx.workers=${n}`, `host.apps.nginx.cpus=${formatCpuList(range(n))}`],
              },
            ]
          : []),
      ],
    });
  qs.push({
    id: 'mtu',
    question: 'MTU: 1500 or jumbo frames (9001), for 4 KB responses?',
    option: 'flannel-host-gw',
    rate_rps: rate4k,
    response_bytes: 4096,
    variants: [
      { label: as('MTU 1500'), set: [] },
      { label: 'MTU 9001', set: ['option.mtu=9001'] },
    ],
  });
  // A question with nothing to set against its baseline is no question on this host.
  return qs.filter((q) => q.variants.length > 1);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export interface WhatIfAnswer {
  question: string;
  variant: string;
  set: string[];
  baseline: boolean;
  result: SimResult | null;
  /** Why there is no result (the model rejected an override). */
  unanswerable: string | null;
}

export async function runWhatIf(opts: StudyOptions): Promise<StudyOutcome> {
  return withContext(opts, (ctx) => whatIfStudy(ctx, opts));
}

async function whatIfStudy(ctx: Context, opts: StudyOptions): Promise<StudyOutcome> {
  const { requests, replications } = opts.quick ? BUDGET.quick : { requests: 200_000, replications: 4 };
  const hostRef = opts.host ?? HOST;
  const host = loadHost(hostRef, '--host');
  const questions = questionsFor(host, opts.rate_rps);
  const tuning = host.id === HOST ? 'the study’s tuning' : `${host.id} as configured`;
  const total = questions.reduce((n, q) => n + q.variants.length, 0);
  const progress = createProgress('study what-if', total, { enabled: opts.progress ?? true });
  const answers: WhatIfAnswer[] = [];
  for (const q of questions)
    for (const [i, v] of q.variants.entries()) {
      let result: SimResult | null = null;
      let unanswerable: string | null = null;
      try {
        result = withoutWallClock(
          await ctx.simulate({
            option: q.option,
            host: hostRef,
            rate_rps: q.rate_rps,
            response_bytes: q.response_bytes,
            variant: { label: `variant '${v.label}':`, set: v.set },
            requests,
            replications,
            seed: opts.seed,
            replication_percentiles: true,
            ...(ctx.profilePath ? { profile: ctx.profilePath } : {}),
          }),
        );
      } catch (err) {
        // A baseline that fails is a real error (the model or its data are broken): let it out.
        // A variant the model rejects (an override it does not know, or a value it cannot accept)
        // is a question the model cannot answer yet; the report says so instead of failing.
        if (!(err instanceof InputError) || i === 0) throw err;
        unanswerable = `the model rejected \`${v.set.join(' ')}\`: ${err.message}`;
      }
      answers.push({ question: q.id, variant: v.label, set: v.set, baseline: i === 0, result, unanswerable });
      progress.update(answers.length, `${q.id}: ${v.label}`);
    }
  progress.finish();

  const base = (qid: string) => answers.find((a) => a.question === qid && a.baseline)?.result ?? null;
  const p = (r: SimResult | null, k: 'p99' | 'p99_99') => (r ? latencyOf(r, k) : null);
  const busiest = (r: SimResult | null) => {
    if (!r) return null;
    const server = r.cpu.filter((c) => c.host === 'server');
    if (server.length === 0) return null;
    const top = server.reduce((a, b) =>
      a.hardirq + a.softirq + a.task >= b.hardirq + b.softirq + b.task ? a : b,
    );
    return `${top.cpu} (${Math.round(100 * (top.hardirq + top.softirq + top.task))} %)`;
  };
  const table: Table = {
    id: 'what-if',
    caption: `Each question’s variants against its baseline (${tuning})`,
    columns: [
      { key: 'question', header: 'question' },
      { key: 'variant', header: 'variant' },
      { key: 'p99', header: 'p99_ms', digits: 3 },
      { key: 'p99_vs_base', header: 'p99_vs_baseline_pct', digits: 0 },
      { key: 'p99_diff', header: 'p99_diff_ms', digits: 3 },
      { key: 'p99_diff_ci', header: 'p99_diff_ci95_ms', digits: 3 },
      { key: 'p99_99', header: 'p99_99_ms', digits: 3 },
      { key: 'busiest', header: 'busiest_server_cpu' },
      { key: 'status', header: 'status' },
    ],
    rows: answers.map((a): Record<string, Cell> => {
      const b = p(base(a.question), 'p99');
      const v = p(a.result, 'p99');
      const baseResult = base(a.question);
      // Paired with the baseline (same seed: common random numbers); null for the baseline itself.
      const d = !a.baseline && baseResult && a.result ? pairedDifference(baseResult, a.result) : null;
      const inert = a.result?.warnings?.some((w) => w.includes('changes nothing'));
      return {
        question: a.question,
        variant: a.variant,
        p99: v,
        p99_vs_base: b !== null && v !== null && !a.baseline ? (100 * (v - b)) / b : null,
        p99_diff: d ? d.latency_diff_ms.p99 : null,
        p99_diff_ci: d ? differenceCell(d, 'p99') : null,
        p99_99: p(a.result, 'p99_99'),
        busiest: busiest(a.result),
        status: a.unanswerable
          ? 'not answerable by the model yet'
          : a.result?.saturated
            ? `saturated (${a.result.bottleneck ?? 'unknown'})`
            : inert
              ? 'ok; an override changes nothing (see data.json warnings)'
              : 'ok',
      };
    }),
  };
  const points: WhatIfPoint[] = answers.flatMap((a) => {
    const r = a.result;
    if (!r || r.saturated || !r.latency_ms) return [];
    const ci = r.latency_ci95_ms?.p99;
    return [
      {
        question: a.question,
        variant: a.variant,
        baseline: a.baseline,
        latency_ms: r.latency_ms.p99,
        ci_lo_ms: ci?.[0] ?? r.latency_ms.p99,
        ci_hi_ms: ci?.[1] ?? r.latency_ms.p99,
      },
    ];
  });
  const notCharted = answers
    .filter((a) => !points.some((p) => p.question === a.question && p.variant === a.variant))
    .map((a) => `${a.question} / ${a.variant}`);
  const blocks: Block[] = [
    {
      kind: 'text',
      markdown: `The study tuned its hosts by trying combinations of RSS, RPS, IRQ affinity and worker placement. Each question below changes one thing against ${tuning}, by simulation, with the same seed for every variant (common random numbers, so differences are not noise of different streams).${host.id === HOST ? '' : ` The variants are built from \`${hostRef}\`'s own configuration.`}

${questions
  .map(
    (q) =>
      `- **${q.id}**: ${q.question} (${q.option}, ${q.rate_rps / 1000}k requests/s, ${responseLabel(q.response_bytes)}; overrides: ${q.variants
        .slice(1)
        .map((v) => `\`${v.set.join(' ')}\``)
        .join(', ')})`,
  )
  .join('\n')}`,
    },
    { kind: 'table', table },
    ...answers
      .filter((a) => a.unanswerable)
      .map(
        (a): Block => ({
          kind: 'text',
          markdown: `Not answerable yet: **${a.question} / ${a.variant}**: ${a.unanswerable}`,
        }),
      ),
    points.length === 0
      ? { kind: 'text', markdown: 'No variant has a latency to chart (all saturated or not answerable).' }
      : {
          kind: 'vega-lite',
          id: 'what-if',
          caption: `p99 of each variant with its 95 % CI; circle: the baseline (${tuning}), square: a variant${
            notCharted.length > 0
              ? `; not drawn (saturated or not answerable, see the table): ${notCharted.join(', ')}`
              : ''
          }`,
          spec: whatIfSpec(points, 'p99', 'What-if answers: p99 latency per variant'),
        },
  ];
  const meta = ctx.meta(
    'what-if',
    `What if: the study’s tuning questions answered by simulation${host.id === HOST ? '' : ` on ${host.id}`}`,
    `${precisionText(
      requests,
      replications,
      answers.flatMap((a) => (a.result ? [a.result] : [])),
    )} Variants share the seed (common random numbers).`,
  );
  const written = await writeReport({ meta, blocks, data: { questions, answers } }, opts.outDir);
  return { htmlPath: written.htmlPath, table, written };
}
