import { getOwn, isJsonObject, type JsonValue } from "../matrix/index.js";
import { err, ok, type Result } from "../result.js";

/** A `/send` transaction body whose envelope is well-formed; the items inside are still untrusted. */
export interface TransactionBody {
  readonly origin: string | undefined;
  /** Each PDU as received: any JSON value, judged one by one so one bad PDU never fails the others. */
  readonly pdus: readonly JsonValue[];
  /** EDUs are ignored (federation.md §6bis.3); only counted so malformed ones show up in logs. */
  readonly edus: { readonly valid: number; readonly malformed: number };
}

/**
 * Checks the envelope of a federation transaction (`{origin, origin_server_ts, pdus, edus}`). A wrong type on the
 * envelope itself is an error naming the field (answered 400 `M_BAD_JSON`, where upstream answers 500); `pdus`
 * and `edus` may be absent (empty). A malformed EDU (not an object, `edu_type` not a string) is counted, not fatal:
 * upstream fails the whole transaction for it, but EDUs are ignored anyway.
 */
export function parseTransactionBody(body: JsonValue): Result<TransactionBody, string> {
  if (!isJsonObject(body)) return err("The transaction must be a JSON object");
  const origin = getOwn(body, "origin");
  if (origin !== undefined && typeof origin !== "string") return err("Transaction field 'origin' must be a string");
  const ts = getOwn(body, "origin_server_ts");
  if (ts !== undefined && (typeof ts !== "number" || !Number.isSafeInteger(ts) || ts < 0)) {
    return err("Transaction field 'origin_server_ts' must be a non-negative integer");
  }
  const pdus = getOwn(body, "pdus") ?? [];
  if (!Array.isArray(pdus)) return err("Transaction field 'pdus' must be an array");
  const edus = getOwn(body, "edus") ?? [];
  if (!Array.isArray(edus)) return err("Transaction field 'edus' must be an array");
  let valid = 0;
  for (const edu of edus) {
    if (isJsonObject(edu) && typeof getOwn(edu, "edu_type") === "string") valid++;
  }
  return ok({ origin, pdus, edus: { valid, malformed: edus.length - valid } });
}
