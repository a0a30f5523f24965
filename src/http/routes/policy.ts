import { Router } from "@koa/router";
import type { Context } from "koa";
import type { PolicyEndpoint } from "../../policy/decision.js";
import { policyResponse } from "../../policy/decision.js";
import { decidePolicy, startEarlyVerification, type PolicyServiceDeps } from "../../policy/service.js";
import { authenticateFederation, claimedOrigin } from "../federation-auth.js";
import { readJsonBody } from "../json-body.js";
import { BODY_LIMITS } from "../raw-body.js";

/**
 * The MSC4284 endpoints: stable sign (refusal 400 M_FORBIDDEN), unstable sign (refusal 200 `{}`) and the legacy
 * check (`{"recommendation": ...}`). They share one decision path; only the answer's shape differs.
 */
export function policyRouter(deps: PolicyServiceDeps): Router {
  const router = new Router();
  const handle = (endpoint: PolicyEndpoint) => async (ctx: Context) => {
    const json = await readJsonBody(ctx, BODY_LIMITS.policy);
    const verified = startEarlyVerification(json, claimedOrigin(ctx), deps);
    const origin = await authenticateFederation(ctx, json, deps);
    const sign = endpoint !== "check";
    const decision = await decidePolicy(json, verified ? { sign, origin, verified } : { sign, origin }, deps);
    const response = policyResponse(endpoint, decision);
    ctx.status = response.status;
    ctx.body = response.body;
  };
  router.post("/_matrix/policy/v1/sign", handle("sign_stable"));
  router.post("/_matrix/policy/unstable/org.matrix.msc4284/sign", handle("sign_unstable"));
  router.post("/_matrix/policy/unstable/org.matrix.msc4284/event/:eventId/check", handle("check"));
  return router;
}
