import type { Verdict } from "../pipeline/types.js";

/**
 * What the policy service concluded about one sign or check request, before it is shaped into the answer of a
 * particular endpoint. Keeping this separate from HTTP lets the three endpoints (stable sign, unstable sign,
 * legacy check) share one decision path and differ only in `policyResponse`.
 */
export type PolicyDecision =
  /** The room is not one we protect (unknown, or a v12 create event without `room_id`). */
  | { readonly kind: "unknown_room" }
  /** The PDU does not parse for the room's version. */
  | { readonly kind: "invalid_pdu"; readonly message: string }
  /** Refused before filters: invalid sender, missing or bad signature, content hash mismatch. */
  | { readonly kind: "refused"; readonly reason: RefusalReason; readonly message: string }
  /** The filters ran (or a stored verdict was found). */
  | {
      readonly kind: "verdict";
      readonly eventId: string;
      readonly verdict: Verdict;
      readonly signatures?: SignaturesMap;
    }
  /** Admission control turned the check away. */
  | { readonly kind: "overloaded" }
  /** Something the answer needs (the database, the keyring) is unreachable right now. */
  | { readonly kind: "unavailable"; readonly message: string };

export type RefusalReason = "invalid_sender" | "signature" | "content_hash";

/** `{"<server>": {"ed25519:policy_server": "<sig>"}}`, the bare map the sign endpoints return. */
export type SignaturesMap = Readonly<Record<string, Readonly<Record<string, string>>>>;

export type PolicyEndpoint = "sign_stable" | "sign_unstable" | "check";

export interface PolicyResponse {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>>;
}

const FORBIDDEN_MESSAGE = "This message is not allowed by the policy server";

/**
 * Shapes a decision into an endpoint's answer, exactly as decisions §1.2, §1.3 and §4b.3 set out:
 * stable sign refuses with 400 M_FORBIDDEN (harms twice when filters prohibited the event), unstable sign refuses
 * with 200 `{}`, the legacy check answers `{"recommendation": ...}`.
 */
export function policyResponse(endpoint: PolicyEndpoint, decision: PolicyDecision): PolicyResponse {
  switch (decision.kind) {
    case "unknown_room":
      if (endpoint === "check") return { status: 200, body: { recommendation: "ok" } };
      if (endpoint === "sign_unstable") return { status: 200, body: {} };
      return matrixError(404, "M_NOT_FOUND", "This policy server does not protect that room");
    case "invalid_pdu":
      if (endpoint === "sign_unstable") return { status: 200, body: {} };
      return matrixError(400, "M_BAD_JSON", decision.message);
    case "refused":
      if (endpoint === "check") return { status: 200, body: { recommendation: "spam" } };
      if (endpoint === "sign_unstable") return { status: 200, body: {} };
      return matrixError(400, "M_FORBIDDEN", FORBIDDEN_MESSAGE);
    case "overloaded":
      return matrixError(429, "M_LIMIT_EXCEEDED", "Too many events are being checked right now; retry shortly", {
        retry_after_ms: 1000,
      });
    case "unavailable":
      return matrixError(503, "M_UNAVAILABLE", decision.message);
    case "verdict":
      return verdictResponse(endpoint, decision.verdict, decision.signatures);
  }
}

function verdictResponse(
  endpoint: PolicyEndpoint,
  verdict: Verdict,
  signatures: SignaturesMap | undefined,
): PolicyResponse {
  if (verdict.failure !== undefined) {
    if (endpoint === "check") return matrixError(500, "M_UNKNOWN", "Unable to complete event scan");
    if (endpoint === "sign_unstable") return { status: 200, body: {} };
    return matrixError(400, "M_FORBIDDEN", FORBIDDEN_MESSAGE);
  }
  if (verdict.spam) {
    if (endpoint === "check") return { status: 200, body: { recommendation: "spam" } };
    if (endpoint === "sign_unstable") return { status: 200, body: {} };
    const harms = [...verdict.info.harms];
    return matrixError(400, "M_FORBIDDEN", FORBIDDEN_MESSAGE, { harms, "org.matrix.msc4387.harms": harms });
  }
  if (endpoint === "check") return { status: 200, body: { recommendation: "ok" } };
  // Not spam but no signature means signing itself failed; never claim approval without one.
  if (signatures === undefined) {
    if (endpoint === "sign_unstable") return { status: 200, body: {} };
    return matrixError(500, "M_UNKNOWN", "Unable to sign the event");
  }
  return { status: 200, body: signatures };
}

function matrixError(
  status: number,
  errcode: string,
  error: string,
  extra: Record<string, unknown> = {},
): PolicyResponse {
  return { status, body: { ...extra, errcode, error } };
}
