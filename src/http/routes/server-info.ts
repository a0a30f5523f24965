import { Router } from "@koa/router";
import type { Context } from "koa";
import type { SigningKey } from "../../matrix/keys.js";
import { signJson } from "../../matrix/signing.js";
import { MatrixError } from "../matrix-error.js";

/** A support contact from `PS_SUPPORT_ADMIN_CONTACTS` / `PS_SUPPORT_SECURITY_CONTACTS`. */
export type SupportContact =
  | { readonly matrix_id: string; readonly role: string }
  | { readonly email_address: string; readonly role: string };

export interface ServerInfoDeps {
  readonly serverName: string;
  /** The homeserver key: signs `/_matrix/key/v2/server` and outbound requests. */
  readonly serverKey: SigningKey;
  /** Standard unpadded base64 of the event key (`ed25519:policy_server`). */
  readonly eventPublicKey: string;
  readonly version: string;
  readonly support: { readonly supportPage: string; readonly contacts: readonly SupportContact[] };
  readonly now: () => number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
  "Access-Control-Allow-Headers": "X-Requested-With, Content-Type, Authorization",
};

/**
 * The unauthenticated discovery routes: version, the self-signed server keys, the policy-server public key
 * (stable and unstable well-known, decisions §1.2) and the support contacts (decisions §1.5).
 */
export function serverInfoRouter(deps: ServerInfoDeps): Router {
  const router = new Router();

  router.get("/_matrix/federation/v1/version", (ctx) => {
    ctx.body = { server: { name: "policyserv", version: deps.version } };
  });

  router.get("/_matrix/key/v2/server", (ctx) => {
    ctx.body = serverKeysResponse(deps);
  });

  router.get("/.well-known/matrix/server", (ctx) => {
    // The configured name may already carry a port; appending :443 blindly would make `host:port:443`.
    const hasPort = /:\d+$/.test(deps.serverName) && !deps.serverName.endsWith("]");
    ctx.body = { "m.server": hasPort ? deps.serverName : `${deps.serverName}:443` };
  });

  const stable = (ctx: Context): void => {
    ctx.set(CORS);
    ctx.body = { public_keys: { ed25519: deps.eventPublicKey } };
  };
  const unstable = (ctx: Context): void => {
    ctx.set(CORS);
    ctx.body = { public_key: deps.eventPublicKey };
  };
  router.get("/.well-known/matrix/policy_server", stable);
  router.options("/.well-known/matrix/policy_server", stable);
  router.get("/.well-known/matrix/org.matrix.msc4284.policy_server", unstable);
  router.options("/.well-known/matrix/org.matrix.msc4284.policy_server", unstable);

  const support = (ctx: Context): void => {
    ctx.set(CORS);
    const body: Record<string, unknown> = {};
    if (deps.support.contacts.length > 0) body["contacts"] = deps.support.contacts;
    if (deps.support.supportPage !== "") body["support_page"] = deps.support.supportPage;
    if (Object.keys(body).length === 0) throw new MatrixError("M_NOT_FOUND", "No support information available");
    ctx.body = body;
  };
  router.get("/.well-known/matrix/support", support);
  router.options("/.well-known/matrix/support", support);

  router.all("/", (ctx) => {
    ctx.type = "text/plain";
    ctx.body = "ok";
  });
  return router;
}

/** The self-signed key object of federation.md §1.6; valid for a day from now, recomputed per request. */
export function serverKeysResponse(deps: Pick<ServerInfoDeps, "serverName" | "serverKey" | "now">): unknown {
  const unsigned = {
    old_verify_keys: {},
    server_name: deps.serverName,
    valid_until_ts: deps.now() + DAY_MS,
    verify_keys: { [deps.serverKey.keyId]: { key: deps.serverKey.publicKeyBase64 } },
  };
  return signJson(unsigned, deps.serverName, deps.serverKey);
}
