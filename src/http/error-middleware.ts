import type { Middleware } from "koa";
import type { Logger } from "../observability/logger.js";
import { MatrixError } from "./matrix-error.js";

/**
 * The single place where failures become HTTP responses. A MatrixError keeps its code and status; errors from koa
 * itself (they carry `status`) are mapped to the nearest Matrix code; anything else is a bug: 500 M_UNKNOWN,
 * logged with its stack, and never leaks internals to the caller.
 */
export function matrixErrorMiddleware(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const matrixError = toMatrixError(error);
      if (matrixError.status >= 500) {
        logger.error({ err: error, method: ctx.method, path: ctx.path }, "request failed");
      }
      // A body too slow to arrive is not worth waiting for: end the connection after answering. (A too-large body is
      // drained instead, bounded by the server's request timeout, so the client can read its 413 before closing.)
      if (matrixError.status === 408) ctx.set("Connection", "close");
      ctx.status = matrixError.status;
      ctx.body = matrixError.body();
      ctx.set("Content-Type", "application/json");
    }
  };
}

export function toMatrixError(error: unknown): MatrixError {
  if (error instanceof MatrixError) return error;
  const status = typeof error === "object" && error !== null && "status" in error ? Number(error.status) : NaN;
  const expose = typeof error === "object" && error !== null && "expose" in error && error.expose === true;
  const message = expose && error instanceof Error ? error.message : "Internal server error";
  if (status === 404 || status === 405 || status === 501) {
    return new MatrixError("M_UNRECOGNIZED", status === 404 ? "Unrecognized request" : "Method not allowed", {
      status: status === 501 ? 405 : status,
    });
  }
  if (status === 413) return new MatrixError("M_TOO_LARGE", message);
  if (Number.isInteger(status) && status >= 400 && status < 500) {
    return new MatrixError("M_UNKNOWN", message, { status });
  }
  return new MatrixError("M_UNKNOWN", "Internal server error");
}
