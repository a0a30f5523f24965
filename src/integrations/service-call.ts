/**
 * One outbound call to an external service (OpenAI, HMA, Muninn, a media repository, a webhook receiver, a
 * client-server API) over the product's single SafeFetch, with the failure modes every integration shares folded into
 * one error type, so retry decisions and metrics labels are made the same way everywhere.
 */
import type { FetchError, FetchRequest, FetchResponse, SafeFetch } from "../federation/safe-fetch.js";
import { err, ok, type Result } from "../result.js";

/** Why a service call produced nothing usable. Every variant has a message naming the service and the cause. */
export type ServiceError =
  | { readonly kind: "fetch"; readonly cause: FetchError["kind"]; readonly message: string }
  | { readonly kind: "status"; readonly status: number; readonly retryAfterMs: number | undefined; readonly message: string }
  | { readonly kind: "malformed"; readonly message: string };

/** A short, bounded label for metrics: `ok`, `timeout`, `denied`, `too_large`, `network`, `http_429`, `http_5xx`, ... */
export function serviceErrorLabel(error: ServiceError): string {
  switch (error.kind) {
    case "fetch":
      if (error.cause === "timeout" || error.cause === "connect_timeout") return "timeout";
      if (error.cause === "denied_address") return "denied";
      if (error.cause === "too_large") return "too_large";
      return error.cause === "invalid_url" ? "invalid_url" : "network";
    case "status":
      if (error.status === 429) return "http_429";
      return error.status >= 500 ? "http_5xx" : "http_4xx";
    case "malformed":
      return "malformed";
  }
}

/**
 * True when trying again later may succeed: timeouts, connection failures, 429 and 5xx. A denied address, an
 * oversized or malformed answer, or another 4xx will fail the same way again, so retrying only adds load.
 */
export function isRetryable(error: ServiceError): boolean {
  if (error.kind === "status") return error.status === 429 || error.status >= 500;
  if (error.kind === "fetch") return error.cause === "timeout" || error.cause === "connect_timeout" || error.cause === "network";
  return false;
}

/**
 * Performs the request and returns the response only for a 2xx status. `what` names the service in messages
 * ("OpenAI moderation", "webhook to https://…"), so a log line says which integration failed and why.
 */
export async function callService(
  fetch: SafeFetch,
  what: string,
  request: FetchRequest,
): Promise<Result<FetchResponse, ServiceError>> {
  const response = await fetch(request);
  if (!response.ok) {
    return err({ kind: "fetch", cause: response.error.kind, message: `${what}: ${response.error.message}` });
  }
  const { status } = response.value;
  if (status < 200 || status > 299) {
    return err({
      kind: "status",
      status,
      retryAfterMs: parseRetryAfter(response.value.headers["retry-after"], response.value.body),
      message: `${what}: HTTP ${status}${describeBody(response.value.body)}`,
    });
  }
  return response;
}

/** Parses a response body as JSON; the error names the service and says the body was not JSON. */
export function parseJsonBody(response: FetchResponse, what: string): Result<unknown, ServiceError> {
  try {
    return ok(JSON.parse(response.body.toString("utf8")) as unknown);
  } catch {
    return err({ kind: "malformed", message: `${what}: the response is not JSON${describeBody(response.body)}` });
  }
}

/** A malformed-response error, for callers that validated a JSON shape themselves. */
export function malformed(what: string, problem: string): Result<never, ServiceError> {
  return err({ kind: "malformed", message: `${what}: malformed response: ${problem}` });
}

/**
 * Reads `Retry-After` (seconds or an HTTP date) or, failing that, Matrix's `retry_after_ms` body field, so a 429
 * from a homeserver is honoured whichever way it was expressed.
 */
export function parseRetryAfter(header: string | undefined, body: Buffer, now: number = Date.now()): number | undefined {
  if (header !== undefined && header.trim() !== "") {
    const trimmed = header.trim();
    if (/^[0-9]+$/.test(trimmed)) return Number(trimmed) * 1000;
    const date = Date.parse(trimmed);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  if (body.length > 0 && body.length < 4096) {
    try {
      const parsed = JSON.parse(body.toString("utf8")) as unknown;
      if (typeof parsed === "object" && parsed !== null) {
        const value = (parsed as Record<string, unknown>)["retry_after_ms"];
        if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
      }
    } catch {
      // Not JSON: no hint.
    }
  }
  return undefined;
}

/** The first bytes of an error body, for the log line: enough to recognise a Matrix error, never a whole page. */
function describeBody(body: Buffer): string {
  if (body.length === 0) return "";
  const text = body.subarray(0, 200).toString("utf8").replace(/\s+/g, " ").trim();
  return text === "" ? "" : ` (${text}${body.length > 200 ? "…" : ""})`;
}
