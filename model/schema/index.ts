export * from './common.ts';
export * from './host.ts';
export * from './option.ts';
export * from './scenario.ts';
export * from './wire.ts';
export * from './workload.ts';
