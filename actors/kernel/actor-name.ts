import { createHash } from "node:crypto";

/**
 * nact accepts only `^[a-z0-9-$_.+!*'(),]+$` as a name, case-insensitively (runtime.md §1.1), so Matrix IDs
 * (`!room:server`, `@user:server`) can never be names. We hash the key: hex is inside the alphabet and has no case,
 * and 128 bits make a collision between two live keys practically impossible. The prefix keeps names readable in
 * paths and logs (`community-3f2a…`).
 */
export function encodeActorName(prefix: string, key: string): string {
  if (!/^[a-z0-9-]+$/.test(prefix)) throw new Error(`actor name prefix must be [a-z0-9-]+, got ${JSON.stringify(prefix)}`);
  const digest = createHash("sha256").update(key, "utf8").digest("hex").slice(0, 32);
  return `${prefix}-${digest}`;
}

/**
 * Deterministic shard of a key (FNV-1a, 32 bit). Supervisors shard their children into buckets because nact copies a
 * parent's children Map on every message it handles (32 ms per message at 100k children, runtime.md §1.3).
 */
export function shardOf(key: string, buckets: number): number {
  if (!Number.isInteger(buckets) || buckets < 1) throw new Error(`bucket count must be a positive integer, got ${buckets}`);
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % buckets;
}
