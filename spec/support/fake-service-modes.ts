/**
 * The failure modes every integration test runs against its fake external service: a good answer, no answer
 * (timeout), 429 with Retry-After, 500, a body that is not the service's shape, and a body over the client's limit.
 */
import { HANG, type RouteHandler, type RouteResponse } from "./fake-homeserver.js";

export type FakeMode = "ok" | "slow" | "429" | "500" | "malformed" | "oversized";

export const FAILURE_MODES: readonly Exclude<FakeMode, "ok">[] = ["slow", "429", "500", "malformed", "oversized"];

/** Bytes of the oversized answer; tests set their client's limit well below it. */
export const OVERSIZED_BYTES = 256 * 1024;

/**
 * A route handler answering per the current mode. `mode` is read on every request, so a test can switch a fake
 * from failing to healthy between retries; `good` builds the success answer from the request.
 */
export function modal(mode: () => FakeMode, good: RouteHandler): RouteHandler {
  return (req, params) => {
    switch (mode()) {
      case "ok":
        return good(req, params);
      case "slow":
        return HANG;
      case "429":
        return { status: 429, headers: { "Retry-After": "0" }, body: { errcode: "M_LIMIT_EXCEEDED", error: "Too many requests" } };
      case "500":
        return { status: 500, body: { errcode: "M_UNKNOWN", error: "Internal error" } };
      case "malformed":
        return { status: 200, headers: { "content-type": "application/json" }, body: '{"not": "the expected shape"' } satisfies RouteResponse;
      case "oversized":
        return { status: 200, headers: { "content-type": "application/json" }, body: `"${"x".repeat(OVERSIZED_BYTES)}"` };
    }
  };
}
