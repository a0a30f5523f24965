import { isJsonObject, verifyJsonSignature, verifyKeyFromBase64, type JsonObject, type VerifyKey } from "../matrix/index.js";
import { err, ok, type Result } from "../result.js";
import type { ServerKey } from "./key-store.js";

/**
 * The public key of the well-known compromised key (Go `ed25519.GenerateKey` over `math/rand` seeded with 0,
 * ELEMENTSEC-2025-1670, federation.md §3.2). Anyone can sign with it, so it is never trusted, whoever serves it.
 */
export const COMPROMISED_PUBLIC_KEY = "l/O9hxMVKB6Lg+3Hqf0FQQZhVESQcMzbPN1Cz2nM3og";

/** A checked key ready for use: the stored form plus the verification key object. */
export interface LearnedKey {
  readonly key: ServerKey;
  readonly verifyKey: VerifyKey;
}

/**
 * Checks a server keys object (`/_matrix/key/v2/server` or one notary `server_keys` entry) for `serverName` and
 * returns the keys it vouches for. Rules: `server_name` must match; `valid_until_ts` must be a positive integer;
 * only `ed25519:*` keys count; a current key is accepted only if it is a valid, not small-order, not compromised
 * key that itself signed the object (proof the server holds it); at least one must pass. Old keys cannot sign,
 * so they ride on the current keys' signatures and are accepted if well-formed. Why so strict: these keys are the
 * trust root for every X-Matrix request and event we accept.
 */
export function checkServerKeys(obj: JsonObject, serverName: string): Result<LearnedKey[], string> {
  if (obj["server_name"] !== serverName) {
    return err(`server keys are for ${JSON.stringify(obj["server_name"])}, expected ${JSON.stringify(serverName)}`);
  }
  const validUntil = obj["valid_until_ts"];
  if (typeof validUntil !== "number" || !Number.isSafeInteger(validUntil) || validUntil <= 0) {
    return err(`server keys for ${serverName} have no positive integer valid_until_ts`);
  }
  const verifyKeys = obj["verify_keys"];
  if (!isJsonObject(verifyKeys)) return err(`server keys for ${serverName} have no verify_keys object`);

  const learned: LearnedKey[] = [];
  const problems: string[] = [];
  for (const [keyId, entry] of Object.entries(verifyKeys)) {
    if (!keyId.startsWith("ed25519:")) continue;
    const checked = checkOneKey(serverName, keyId, entry, `verify_keys`);
    if (!checked.ok) {
      problems.push(checked.error);
      continue;
    }
    if (!verifyJsonSignature(obj, serverName, keyId, checked.value)) {
      problems.push(`${keyId} did not sign the key response`);
      continue;
    }
    learned.push({
      key: { serverName, keyId, publicKeyBase64: checked.value.publicKeyBase64, validUntilTs: validUntil, expiredTs: null },
      verifyKey: checked.value,
    });
  }
  if (learned.length === 0) {
    const why = problems.length > 0 ? problems.join("; ") : "no ed25519 verify key";
    return err(`server keys for ${serverName} are not validly self-signed: ${why}`);
  }

  const oldKeys = obj["old_verify_keys"];
  if (isJsonObject(oldKeys)) {
    for (const [keyId, entry] of Object.entries(oldKeys)) {
      if (!keyId.startsWith("ed25519:") || !isJsonObject(entry)) continue;
      const expired = entry["expired_ts"];
      if (typeof expired !== "number" || !Number.isSafeInteger(expired)) continue;
      const checked = checkOneKey(serverName, keyId, entry, "old_verify_keys");
      if (!checked.ok) continue;
      learned.push({
        key: { serverName, keyId, publicKeyBase64: checked.value.publicKeyBase64, validUntilTs: 0, expiredTs: expired },
        verifyKey: checked.value,
      });
    }
  }
  return ok(learned);
}

function checkOneKey(serverName: string, keyId: string, entry: unknown, where: string): Result<VerifyKey, string> {
  if (!isJsonObject(entry as JsonObject) || typeof (entry as JsonObject)["key"] !== "string") {
    return err(`${where} ${keyId} of ${serverName} has no key string`);
  }
  const b64 = (entry as JsonObject)["key"] as string;
  const verifyKey = verifyKeyFromBase64(b64);
  if (!verifyKey.ok) return err(`${where} ${keyId} of ${serverName}: ${verifyKey.error}`);
  if (verifyKey.value.publicKeyBase64 === COMPROMISED_PUBLIC_KEY) {
    return err(`${where} ${keyId} of ${serverName} is the publicly known compromised key`);
  }
  return ok(verifyKey.value);
}

/**
 * Whether a key may verify a signature made at `atTs` (federation.md §2.3, §3.5). Strict rule (request
 * authentication, events in v5+ rooms): a current key is valid until the lesser of its `valid_until_ts` and
 * now + 7 days; an old key only before its `expired_ts`. `ignoreValidUntil` is the v1–v4 event rule, where a
 * current key has no limit (an old key is still bounded by `expired_ts`).
 */
export function isKeyValidAt(key: ServerKey, atTs: number, nowMs: number, ignoreValidUntil = false): boolean {
  if (key.expiredTs !== null) return atTs < key.expiredTs;
  if (ignoreValidUntil) return true;
  return key.validUntilTs !== 0 && atTs <= Math.min(key.validUntilTs, nowMs + 7 * 24 * 3600_000);
}
