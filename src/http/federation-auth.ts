import type { Context } from "koa";
import type { JsonValue } from "../matrix/json.js";
import type { KeyLookup } from "../matrix/keys.js";
import { parseXMatrixHeaders, verifyXMatrix } from "../matrix/xmatrix.js";
import { MatrixError } from "./matrix-error.js";

export interface FederationAuthDeps {
  readonly serverName: string;
  readonly getKey: KeyLookup;
}

/**
 * Authenticates a federation request by its X-Matrix header(s) over the method, the raw URI and the parsed body.
 * Every failure, wrong destination included, is 401 M_UNAUTHORIZED with a Matrix error body (decisions §4.3).
 */
export async function authenticateFederation(ctx: Context, content: JsonValue | undefined, deps: FederationAuthDeps): Promise<string> {
  const result = await verifyXMatrix({
    method: ctx.method,
    uri: ctx.originalUrl,
    authorization: ctx.req.headers.authorization,
    content,
    serverName: deps.serverName,
    getKey: deps.getKey,
  });
  if (!result.ok) throw new MatrixError("M_UNAUTHORIZED", result.error.message);
  return result.value.origin;
}

/** The origin the request's X-Matrix header names, not yet verified: only for deciding what work may start early. */
export function claimedOrigin(ctx: Context): string | undefined {
  const parsed = parseXMatrixHeaders(ctx.req.headers.authorization);
  return parsed.ok ? parsed.value.origin : undefined;
}
