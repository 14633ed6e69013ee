/** Test fixture: a "model" whose worker thread exits, to check the replication runner fails cleanly. */
export function exits(): never {
  process.exit(7);
}
