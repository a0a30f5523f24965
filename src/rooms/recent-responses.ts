/**
 * A small least-recently-used map of answers already given, in front of the `processed_transactions` table: a
 * homeserver retrying a transaction usually does so within seconds, and this answers it without a database read.
 */
export interface RecentResponses<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  readonly size: number;
}

/** An LRU holding at most `limit` entries (Map keeps insertion order, so re-inserting marks an entry as recent). */
export function createRecentResponses<V>(limit: number): RecentResponses<V> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`LRU limit must be a positive integer, got ${limit}`);
  const entries = new Map<string, V>();
  return {
    get(key) {
      const value = entries.get(key);
      if (value === undefined) return undefined;
      entries.delete(key);
      entries.set(key, value);
      return value;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, value);
      if (entries.size > limit) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
    },
    get size() {
      return entries.size;
    },
  };
}
