import { Router } from "@koa/router";
import type { Context } from "koa";
import { parseUserId, type KeyLookup } from "../../matrix/index.js";
import { authenticateFederation } from "../federation-auth.js";
import { MatrixError } from "../matrix-error.js";

/** Dependencies of `devicesRouter`: `PS_HOMESERVER_NAME` and the keyring, for X-Matrix. */
export interface DevicesRouteDeps {
  readonly serverName: string;
  readonly getKey: KeyLookup;
}

/**
 * `GET /_matrix/federation/v1/user/devices/{userId}` (federation.md §1.9): every local user, existing or not, has
 * no devices and no cross-signing keys. Answering that stops remote servers from retrying device-list queries for
 * the policy server's user. X-Matrix is required. A user ID that does not parse is 400 `M_INVALID_PARAM` (upstream
 * answers 500); one on another server is 404 `M_NOT_FOUND` "Unknown user ID".
 */
export function devicesRouter(deps: DevicesRouteDeps): Router {
  const router = new Router();
  router.get("/_matrix/federation/v1/user/devices/:userId", async (ctx: Context) => {
    await authenticateFederation(ctx, undefined, deps);
    const userId = String(ctx["params"]?.userId ?? "");
    const parsed = parseUserId(userId);
    if (!parsed.ok) throw new MatrixError("M_INVALID_PARAM", `Unable to parse user ID: ${parsed.error}`);
    if (parsed.value.serverName !== deps.serverName) throw new MatrixError("M_NOT_FOUND", "Unknown user ID");
    ctx.body = { user_id: userId, stream_id: 1, devices: [], master_key: null, self_signing_key: null };
  });
  return router;
}
