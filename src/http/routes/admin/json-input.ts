import type { Context } from "koa";
import type { JsonValue } from "../../../matrix/json.js";
import { BODY_READ_TIMEOUT_MS } from "../../json-body.js";
import { MatrixError } from "../../matrix-error.js";
import { BODY_LIMITS, readRawBody } from "../../raw-body.js";

/** A JSON object body as a plain record. */
export type JsonRecord = Readonly<Record<string, JsonValue>>;

/** Names a JSON value's type for error messages ("an array", "the string \"x\"", ...). */
export function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Parses an admin request body as plain JSON. Not the federation's strict Matrix JSON: community configs carry
 * fractions (`spam_threshold: 0.8`, `density_filter_max_density: 0.95`), which canonical JSON forbids, and upstream's
 * Go decoder let a repeated key's last value win, as `JSON.parse` does. Integer fields are range-checked later.
 */
export function parseAdminJson(raw: Uint8Array): JsonValue {
  let text: string;
  try {
    text = UTF8.decode(raw);
  } catch {
    throw new MatrixError("M_NOT_JSON", "The body is not valid UTF-8, so it is not JSON");
  }
  if (text.trim() === "") throw new MatrixError("M_NOT_JSON", "The body is empty; a JSON value is required");
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new MatrixError("M_NOT_JSON", `The body is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Reads the raw admin body (1 MiB limit, 413 beyond; no Content-Type needed). */
export function readAdminBody(ctx: Context): Promise<Buffer> {
  return readRawBody(ctx.req, { limit: BODY_LIMITS.admin, timeoutMs: BODY_READ_TIMEOUT_MS });
}

/**
 * Reads an admin request body (1 MiB limit, no Content-Type needed) as JSON and requires an object.
 * `null` is accepted as "nothing set" where upstream accepted it (`nullMeansEmpty`), since Go decoded it so.
 */
export async function readJsonObject(ctx: Context, what: string, options: { nullMeansEmpty: boolean }): Promise<JsonRecord> {
  const json = parseAdminJson(await readAdminBody(ctx));
  if (json === null && options.nullMeansEmpty) return {};
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new MatrixError("M_BAD_JSON", `The ${what} body must be a JSON object, got ${describeJson(json)}`);
  }
  return json;
}

/** An optional string field: undefined when absent or null; a wrong type is 400 M_BAD_JSON naming the field. */
export function optionalString(body: JsonRecord, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new MatrixError("M_BAD_JSON", `${field} must be a string, got ${describeJson(value)}`);
  return value;
}

/** An optional boolean field: undefined when absent or null; a wrong type is 400 M_BAD_JSON naming the field. */
export function optionalBoolean(body: JsonRecord, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new MatrixError("M_BAD_JSON", `${field} must be true or false, got ${describeJson(value)}`);
  return value;
}

/** Keys of `body` outside `known`, in body order. */
export function unknownKeys(body: JsonRecord, known: readonly string[]): string[] {
  return Object.keys(body).filter((key) => !known.includes(key));
}
