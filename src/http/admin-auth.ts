import { createHash, timingSafeEqual } from "node:crypto";
import type { Middleware } from "koa";
import { MatrixError } from "./matrix-error.js";

/** The 401 every failed admin or community-token authentication gets (upstream's exact code and message). */
export function notAllowed(): MatrixError {
  return new MatrixError("M_UNAUTHORIZED", "Not allowed");
}

/**
 * Compares two strings in time independent of where they differ and of their lengths: both sides are hashed first,
 * so `timingSafeEqual` always sees equal-length input and a length mismatch leaks nothing either.
 */
export function constantTimeEquals(a: string, b: string): boolean {
  const left = createHash("sha256").update(a, "utf8").digest();
  const right = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}

/**
 * The bearer token of an `Authorization` header, or undefined. The scheme is exactly `Bearer` followed by one space,
 * as upstream compares the whole header; the token is taken verbatim (no trimming), so a key with spaces works.
 */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || !header.startsWith("Bearer ")) return undefined;
  const token = header.slice("Bearer ".length);
  return token === "" ? undefined : token;
}

/**
 * Per-route middleware for the admin API (`/api/v1/...`): the `Authorization` header must be `Bearer <apiKey>`.
 * It runs after route matching, so a wrong method is 405 before any 401 (decisions §1.4). An empty key never
 * authenticates; the router refuses to build one, but this guard keeps the property local.
 */
export function adminAuth(apiKey: string): Middleware {
  const expected = `Bearer ${apiKey}`;
  return async (ctx, next) => {
    const header = ctx.get("Authorization");
    if (apiKey === "" || header === "" || !constantTimeEquals(header, expected)) throw notAllowed();
    await next();
  };
}
