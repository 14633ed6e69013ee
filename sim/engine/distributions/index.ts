export { deterministic } from './deterministic.ts';
export { empirical } from './empirical.ts';
export { erlang } from './erlang.ts';
export { exponential } from './exponential.ts';
export {
  exponentialZiggurat,
  ZIGGURAT_EXP_R,
  ZIGGURAT_EXP_V,
  zigguratExpTables,
} from './exponential-ziggurat.ts';
export { gamma } from './gamma.ts';
export { lognormal, lognormalFromMeanCv } from './lognormal.ts';
export { type MixtureComponent, mixture } from './mixture.ts';
export { normal } from './normal.ts';
export { uniform } from './uniform.ts';
export { type DistSpec, moments, sampler } from './spec.ts';
