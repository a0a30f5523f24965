/**
 * A small LRU cache with a time-to-live and an optional weight budget (bytes for media). Map keeps insertion order,
 * so re-inserting on read is all the bookkeeping LRU needs; no package does TTL plus weight with injectable time in
 * fewer lines than this.
 */
export interface LruCacheOptions<V> {
  readonly maxEntries: number;
  readonly ttlMs: number;
  /** Total weight allowed (e.g. bytes); entries heavier than this are never stored. Default: unbounded. */
  readonly maxWeight?: number;
  readonly weigh?: (value: V) => number;
  readonly now?: () => number;
}

export class LruCache<V> {
  readonly #entries = new Map<string, { value: V; expires: number; weight: number }>();
  readonly #options: LruCacheOptions<V>;
  #weight = 0;

  constructor(options: LruCacheOptions<V>) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 0) {
      throw new Error(`cache maxEntries must be a non-negative integer, got ${options.maxEntries}`);
    }
    this.#options = options;
  }

  get size(): number {
    return this.#entries.size;
  }

  get weight(): number {
    return this.#weight;
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires <= this.#now()) {
      this.#delete(key);
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V): void {
    const weight = this.#options.weigh?.(value) ?? 0;
    const maxWeight = this.#options.maxWeight ?? Infinity;
    this.#delete(key);
    if (this.#options.maxEntries === 0 || weight > maxWeight) return;
    this.#entries.set(key, { value, expires: this.#now() + this.#options.ttlMs, weight });
    this.#weight += weight;
    while (this.#entries.size > this.#options.maxEntries || this.#weight > maxWeight) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.#delete(key);
  }

  #delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#weight -= entry.weight;
    this.#entries.delete(key);
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}
