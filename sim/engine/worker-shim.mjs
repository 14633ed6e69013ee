// Worker entry: Node 20 cannot start a .ts file as a worker, so this shim registers tsx's ESM
// loader in the worker thread and then loads the TypeScript worker module.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
