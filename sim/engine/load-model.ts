/** Imports a replicable model by module URL and export name, once per thread. */
import type { ReplicationModel } from './replication.ts';

const models = new Map<string, ReplicationModel>();

export async function loadModel(moduleUrl: string, exportName: string): Promise<ReplicationModel> {
  const key = `${moduleUrl}#${exportName}`;
  let fn = models.get(key);
  if (!fn) {
    const mod = (await import(moduleUrl)) as Record<string, unknown>;
    const f = mod[exportName];
    if (typeof f !== 'function') throw new Error(`${moduleUrl} has no exported function ${exportName}`);
    fn = f as ReplicationModel;
    models.set(key, fn);
  }
  return fn;
}
