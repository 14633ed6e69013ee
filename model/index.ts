// model/: schemas, built-in data and the compiler. This file only re-exports.
export * from './compile/assemble.ts';
export * from './compile/check.ts';
export * from './compile/compile.ts';
export * from './compile/normalize.ts';
export * from './compile/resolve-steering.ts';
export * from './compile/set.ts';
export * from './compile/toeplitz.ts';
export * from './cpu-mask.ts';
export * from './load.ts';
export * from './schema/index.ts';
