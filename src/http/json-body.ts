import type { Context } from "koa";
import type { JsonValue } from "../matrix/json.js";
import { parseStrictJson } from "../matrix/strict-json.js";
import { MatrixError } from "./matrix-error.js";
import { readRawBody } from "./raw-body.js";

/** How long a request body may take to arrive before the request is dropped (slow-drip protection). */
export const BODY_READ_TIMEOUT_MS = 10_000;

/**
 * Reads and strictly parses a JSON body (decisions §4b.1 order: 413 → M_NOT_JSON → M_BAD_JSON). The
 * Content-Type header is not required: homeservers and the setup bot do not always send it.
 */
export async function readJsonBody(ctx: Context, limit: number): Promise<JsonValue> {
  const raw = await readRawBody(ctx.req, { limit, timeoutMs: BODY_READ_TIMEOUT_MS });
  const parsed = parseStrictJson(raw);
  if (!parsed.ok) throw new MatrixError(parsed.error.errcode, parsed.error.message);
  return parsed.value;
}
