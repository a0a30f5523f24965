import type { Context } from "koa";
import type { JsonValue } from "../../../matrix/json.js";
import { readJsonBody } from "../../json-body.js";
import { MatrixError } from "../../matrix-error.js";
import { BODY_LIMITS } from "../../raw-body.js";

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

/**
 * Reads an admin request body (1 MiB limit, no Content-Type needed, strict JSON) and requires an object.
 * `null` is accepted as "nothing set" where upstream accepted it (`nullMeansEmpty`), since Go decoded it so.
 */
export async function readJsonObject(ctx: Context, what: string, options: { nullMeansEmpty: boolean }): Promise<JsonRecord> {
  const json = await readJsonBody(ctx, BODY_LIMITS.admin);
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
