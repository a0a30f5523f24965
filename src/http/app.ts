import Koa from "koa";
import type { Router } from "@koa/router";
import type { Logger } from "../observability/logger.js";
import type { HttpMetrics } from "../observability/metrics.js";
import { matrixErrorMiddleware } from "./error-middleware.js";
import { MatrixError, methodNotAllowed, notFound } from "./matrix-error.js";

export interface HttpAppDeps {
  readonly logger: Logger;
  readonly metrics: HttpMetrics;
  readonly routers: readonly Router[];
}

/**
 * Builds the koa app: request metrics and logging, the one error middleware, the routers, then 405 for a known
 * path with the wrong method and 404 M_UNRECOGNIZED for everything else.
 */
export function createHttpApp(deps: HttpAppDeps): Koa {
  const app = new Koa();
  app.proxy = false;
  // Every error is answered by matrixErrorMiddleware; koa's default stderr printing would double-report.
  app.silent = true;
  app.use(observe(deps.logger, deps.metrics));
  app.use(matrixErrorMiddleware(deps.logger));
  app.use(refuseNulInPath);
  for (const router of deps.routers) {
    app.use(router.routes());
  }
  app.use(async (ctx) => {
    const allowed = deps.routers.some((router) => router.match(ctx.path, ctx.method).path.some((layer) => layer.methods.length > 0));
    throw allowed ? methodNotAllowed() : notFound();
  });
  return app;
}

function observe(logger: Logger, metrics: HttpMetrics): Koa.Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const route = typeof ctx["_matchedRoute"] === "string" ? ctx["_matchedRoute"] : "unmatched";
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.requests.inc({ route, method: ctx.method, status: String(ctx.status) });
      metrics.duration.observe({ route, method: ctx.method }, seconds);
      if (logger.isLevelEnabled("debug")) {
        logger.debug({ method: ctx.method, route, status: ctx.status, ms: Math.round(seconds * 1000) }, "request");
      }
    }
  };
}

/**
 * No identifier we serve (room, community, template, event, user) may contain NUL, and PostgreSQL cannot store one,
 * so a path carrying `%00` is refused up front with a clear 400 instead of failing deep inside a query.
 */
const refuseNulInPath: Koa.Middleware = async (ctx, next) => {
  if (/%00/i.test(ctx.path)) throw new MatrixError("M_INVALID_PARAM", "The request path contains a NUL character (%00)");
  await next();
};
