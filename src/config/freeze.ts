/**
 * Deep freezing for configuration values. The config is shared by every component for the life of the process;
 * freezing turns an accidental write into an immediate TypeError instead of a cross-component surprise.
 */

function refuse(): never {
  throw new TypeError("this map is read-only configuration");
}

/** Makes `map` read-only in place, because `Object.freeze` alone does not stop `Map.prototype.set`. */
function lockMap<K, V>(map: Map<K, V>): ReadonlyMap<K, V> {
  Object.defineProperties(map, { set: { value: refuse }, delete: { value: refuse }, clear: { value: refuse } });
  return Object.freeze(map);
}

/** A read-only Map of `entries`. */
export function frozenMap<K, V>(entries: Iterable<readonly [K, V]>): ReadonlyMap<K, V> {
  return lockMap(new Map<K, V>(entries));
}

/** Freezes `value` and everything reachable from it; Maps are made read-only in place. Returns `value`. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  if (value instanceof Map) {
    for (const [key, entry] of value) {
      deepFreeze(key);
      deepFreeze(entry);
    }
    lockMap(value);
    return value;
  }
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  return Object.freeze(value);
}
