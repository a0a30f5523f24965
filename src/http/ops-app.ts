import { Router } from "@koa/router";
import Koa from "koa";
import type { Registry } from "prom-client";

/** What `/ready` reports; each check is cheap and answers within its own bound. */
export type ReadinessCheck = () => Promise<{ readonly name: string; readonly ok: boolean; readonly detail?: string }>;

export interface OpsAppDeps {
  readonly registry: Registry;
  readonly readiness: readonly ReadinessCheck[];
}

/**
 * The operator listener (`PS_HTTP_METRICS_BIND`): Prometheus metrics, liveness and readiness. Kept off the
 * federation listener so it can stay private.
 */
export function createOpsApp(deps: OpsAppDeps): Koa {
  const app = new Koa();
  app.silent = true;
  const router = new Router();
  router.get("/metrics", async (ctx) => {
    ctx.type = deps.registry.contentType;
    ctx.body = await deps.registry.metrics();
  });
  router.get("/health", (ctx) => {
    ctx.type = "text/plain";
    ctx.body = "OK";
  });
  router.get("/ready", async (ctx) => {
    const results = await Promise.all(deps.readiness.map((check) => check()));
    const ready = results.every((r) => r.ok);
    ctx.status = ready ? 200 : 503;
    ctx.body = { ready, checks: results };
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
