/** A constant (M/D/1 service, fixed per-packet costs). Takes no source: it draws nothing. */
import { requireFinite } from './check.ts';

export function deterministic(value: number): () => number {
  requireFinite('value', value);
  return () => value;
}
