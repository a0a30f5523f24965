/**
 * The JSON data model Matrix signs and hashes. Numbers are always safe integers once a value has passed
 * `parseStrictJson`; the type cannot say so, so encoders check at run time.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object. Keys may be any string, including `__proto__` (kept as an own data property). */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Sets an own enumerable data property. Plain assignment with the key `__proto__` would change the prototype
 * instead of adding a key, silently dropping that key from signed bytes; this keeps it a normal key.
 */
export function setOwn(target: JsonObject, key: string, value: JsonValue): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** Own property lookup that never reads through the prototype chain (`constructor`, `__proto__`, ...). */
export function getOwn(source: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(source, key) ? source[key] : undefined;
}

/**
 * A shallow copy without the listed keys. Used to strip `signatures`/`unsigned`/`hashes` before hashing without
 * mutating the caller's event.
 */
export function omitKeys(source: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(source)) {
    if (keys.includes(key)) continue;
    setOwn(out, key, source[key] as JsonValue);
  }
  return out;
}
