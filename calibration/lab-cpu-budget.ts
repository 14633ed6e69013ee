/**
 * Splits the lab's measured CPU cost per request between the applications and the kernel path,
 * jointly over the options (issue 5, lab acceptance).
 *
 * What is measured (lab-costs.ts): per option, the marginal CPU cost per request in nginx's context
 * (C_server) and in the generator's (C_client). With veth, each counts the process's own work and
 * the kernel work its sends raise (the receive runs in the sender's context). What the model has:
 * per option, its own kernel work per request on each of the two CPUs with the apps' costs at 0
 * (S_server, S_client, from simulations: lab-costs.ts modelMarginalCpuNs). Model of the split:
 *
 *   C_server(o) = nginx + k * S_server(o)        C_client(o) = generator + k * S_client(o)
 *
 * nginx's and the generator's own costs do not depend on the network option (the same socket
 * calls); the lab's kernel runs the profile's stages k times as fast or slow, one factor for all
 * stages and options (what distinguishes the options stays the profile's relative stage costs).
 * 2n equations for 3 unknowns: least squares (calibration/ols.ts) for n >= 2 options. One factor
 * per option was tried: with three options the system has one redundant equation and is so badly
 * conditioned that the fit of these records gave negative factors. The applications' costs are
 * clipped at 0 (then refitted without them). With one option the split is not identifiable: k = 1
 * and the applications get the remainder (clipped at 0), and a note says so.
 *
 * Cost: O(n) for n options.
 */
import { loadOption } from '../model/load.ts';
import { ols } from './ols.ts';

export interface CpuBudgetInput {
  option: string;
  /** Measured marginal ns per request in nginx's (server) and the generator's (client) context. */
  measured: { server: number | null; client: number | null };
  /** The model's own kernel work per request on those CPUs with the apps' costs at 0, ns. */
  model: { server: number; client: number };
}

export interface CpuBudgetFit {
  /** The applications' own cost per request, ns (option-independent; null where not measured). */
  app_ns: { nginx: number | null; generator: number | null };
  /** The factor on every stage cost (per packet and per byte) of every option. */
  kernel_scale: number;
  /** Standard error of the factor (null when the fit has no residual degrees of freedom). */
  kernel_scale_se: number | null;
  /** Per option: model total (app + k S) minus measured, ns per request (null where not measured). */
  residual_ns: Record<string, { server: number | null; client: number | null }>;
  method: 'least squares' | 'remainder (one option)';
  notes: string[];
}

/** Smallest kernel factor accepted (a path cannot cost nothing). */
export const MIN_KERNEL_SCALE = 0.05;

export function fitCpuBudget(inputs: readonly CpuBudgetInput[]): CpuBudgetFit {
  const notes: string[] = [];
  const hasServer = inputs.some((i) => i.measured.server !== null);
  const hasClient = inputs.some((i) => i.measured.client !== null);
  const residuals = (app: { nginx: number | null; generator: number | null }, k: number) =>
    Object.fromEntries(
      inputs.map((i) => [
        i.option,
        {
          server:
            i.measured.server === null ? null : (app.nginx ?? 0) + k * i.model.server - i.measured.server,
          client:
            i.measured.client === null ? null : (app.generator ?? 0) + k * i.model.client - i.measured.client,
        },
      ]),
    );

  if (inputs.length < 2) {
    const i = inputs[0];
    const app = {
      nginx: i?.measured.server == null ? null : Math.max(0, i.measured.server - i.model.server),
      generator: i?.measured.client == null ? null : Math.max(0, i.measured.client - i.model.client),
    };
    notes.push(
      'one option: the split between the applications and the kernel path is not identifiable; the kernel path keeps the profile costs and the applications get the remainder',
    );
    return {
      app_ns: app,
      kernel_scale: 1,
      kernel_scale_se: null,
      residual_ns: residuals(app, 1),
      method: 'remainder (one option)',
      notes,
    };
  }

  // Columns: [nginx, generator, k]; an app column is dropped when unmeasured or clipped at 0.
  const solve = (withNginx: boolean, withGen: boolean) => {
    const cols = [...(withNginx ? ['nginx'] : []), ...(withGen ? ['generator'] : []), 'k'];
    const X: number[][] = [];
    const y: number[] = [];
    for (const i of inputs)
      for (const side of ['server', 'client'] as const) {
        const m = i.measured[side];
        if (m === null) continue;
        const app = side === 'server' ? 'nginx' : 'generator';
        X.push(cols.map((c) => (c === app ? 1 : c === 'k' ? i.model[side] : 0)));
        y.push(m);
      }
    if (X.length <= cols.length)
      throw new RangeError(
        `fitCpuBudget: ${X.length} measured costs cannot determine ${cols.join(', ')} with an error estimate`,
      );
    const f = ols(X, y, cols);
    const get = (name: string) => {
      const j = cols.indexOf(name);
      return j < 0 ? null : f.coef[j]!;
    };
    return { get, kSe: f.se[cols.length - 1]! };
  };

  let withNginx = hasServer;
  let withGen = hasClient;
  let s = solve(withNginx, withGen);
  for (let pass = 0; pass < 2; pass++) {
    const n = s.get('nginx');
    const g = s.get('generator');
    if (n !== null && n < 0) {
      notes.push(`nginx's own cost came out negative (${n.toFixed(0)} ns/request): clipped at 0, refitted`);
      withNginx = false;
    } else if (g !== null && g < 0) {
      notes.push(
        `the generator's own cost came out negative (${g.toFixed(0)} ns/request): clipped at 0, refitted`,
      );
      withGen = false;
    } else break;
    s = solve(withNginx, withGen);
  }
  const app = {
    nginx: hasServer ? Math.max(0, s.get('nginx') ?? 0) : null,
    generator: hasClient ? Math.max(0, s.get('generator') ?? 0) : null,
  };
  let k = s.get('k')!;
  if (!(k >= MIN_KERNEL_SCALE)) {
    notes.push(`kernel factor ${k.toFixed(3)} raised to ${MIN_KERNEL_SCALE}`);
    k = MIN_KERNEL_SCALE;
  }
  return {
    app_ns: app,
    kernel_scale: k,
    kernel_scale_se: Number.isFinite(s.kSe) ? s.kSe : null,
    residual_ns: residuals(app, k),
    method: 'least squares',
    notes,
  };
}

/**
 * `--set` overrides that scale every stage cost of a built-in option (per packet and per byte, tx
 * and rx) by k: the kernel path at the fitted factor.
 */
export function kernelScaleOverrides(optionId: string, k: number): Record<string, number> {
  const o = loadOption(optionId);
  const set: Record<string, number> = {};
  for (const st of [...o.stages.tx, ...o.stages.rx]) {
    set[`option.stages.${st.name}.cost_ns_per_packet`] = Math.round(k * st.cost_ns_per_packet);
    set[`option.stages.${st.name}.cost_ns_per_byte`] = Number((k * st.cost_ns_per_byte).toPrecision(4));
  }
  return set;
}
