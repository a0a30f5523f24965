import { sign as cryptoSign, verify as cryptoVerify } from "node:crypto";
import { decodeBase64, encodeBase64 } from "./base64.js";
import { canonicalJsonBytes } from "./canonical-json.js";
import { getOwn, isJsonObject, omitKeys, setOwn, type JsonObject, type JsonValue } from "./json.js";
import type { SigningKey, VerifyKey } from "./keys.js";

/** The `signatures` block of a signed object: entity → key ID → unpadded base64 signature. */
export type Signatures = Record<string, Record<string, string>>;

const STRIPPED = ["signatures", "unsigned"] as const;

/** The exact bytes a Matrix JSON signature covers: canonical JSON without `signatures` and `unsigned`. */
export function signedBytes(obj: JsonObject): Buffer {
  return canonicalJsonBytes(omitKeys(obj, STRIPPED));
}

/**
 * Signs `obj` per "Signing JSON" and returns the unpadded standard base64 signature alone. Used where only the
 * signature travels (the policy-server sign response, X-Matrix headers).
 */
export function signatureOf(obj: object, key: SigningKey): string {
  return encodeBase64(cryptoSign(null, signedBytes(obj as JsonObject), key.privateKey));
}

/**
 * The signature over bytes that are already `signedBytes(obj)` (a parsed PDU keeps them), made on the libuv thread
 * pool (callback form of crypto.sign): the event loop only hands the job over, so a sign-heavy load leaves it free
 * for HTTP, the database and the actors. Ed25519 is deterministic, so the result equals the synchronous one.
 * Rejects only on a crypto error (a broken key: a bug, not bad input).
 */
export function signatureOfBytesAsync(bytes: Uint8Array, key: SigningKey): Promise<string> {
  return new Promise((resolve, reject) => {
    cryptoSign(null, bytes, key.privateKey, (error, signature) => {
      if (error) reject(error);
      else resolve(encodeBase64(signature));
    });
  });
}

/**
 * Returns a copy of `obj` with our signature added under `signatures[serverName][key.keyId]`; existing signatures
 * and `unsigned` are kept, the input is not modified.
 */
export function signJson<T extends object>(obj: T, serverName: string, key: SigningKey): T & { signatures: Signatures } {
  const source = obj as JsonObject;
  const signature = signatureOf(source, key);
  const out: JsonObject = omitKeys(source, ["signatures"]);
  const signatures: JsonObject = {};
  const existing = getOwn(source, "signatures");
  if (isJsonObject(existing)) {
    for (const entity of Object.keys(existing)) {
      const byKey = existing[entity];
      setOwn(signatures, entity, isJsonObject(byKey) ? omitKeys(byKey, []) : (byKey as JsonValue));
    }
  }
  const mine = getOwn(signatures, serverName);
  const forServer: JsonObject = isJsonObject(mine) ? mine : {};
  setOwn(forServer, key.keyId, signature);
  setOwn(signatures, serverName, forServer);
  setOwn(out, "signatures", signatures);
  return out as unknown as T & { signatures: Signatures };
}

/** Reads `signatures[serverName][keyId]` as 64 signature bytes, or undefined when absent or malformed. */
function signatureBytes(obj: JsonObject, serverName: string, keyId: string): Buffer | undefined {
  const signatures = getOwn(obj, "signatures");
  if (!isJsonObject(signatures)) return undefined;
  const forServer = getOwn(signatures, serverName);
  if (!isJsonObject(forServer)) return undefined;
  const encoded = getOwn(forServer, keyId);
  if (typeof encoded !== "string") return undefined;
  const decoded = decodeBase64(encoded);
  if (!decoded.ok || decoded.value.length !== 64) return undefined;
  return decoded.value;
}

/**
 * True when `signatures[serverName][keyId]` is a valid Ed25519 signature of `obj` under `verifyKey`. A missing or
 * undecodable signature is simply false. Padded and URL-safe signature strings are accepted (like Python's
 * signedjson, unlike gomatrixserverlib): the signed bytes are identical, so refusing them protects nothing.
 * Synchronous: blocks the event loop for ~130 µs; prefer the async form when many are in flight.
 */
export function verifyJsonSignature(obj: object, serverName: string, keyId: string, verifyKey: VerifyKey): boolean {
  const source = obj as JsonObject;
  const signature = signatureBytes(source, serverName, keyId);
  if (signature === undefined) return false;
  return cryptoVerify(null, signedBytes(source), verifyKey.keyObject, signature);
}

/**
 * `verifyJsonSignature` on the libuv thread pool (callback form of crypto.verify), so concurrent verifications
 * run in parallel and off the event loop. Never rejects: crypto errors count as an invalid signature.
 */
export function verifyJsonSignatureAsync(
  obj: object,
  serverName: string,
  keyId: string,
  verifyKey: VerifyKey,
): Promise<boolean> {
  const source = obj as JsonObject;
  const signature = signatureBytes(source, serverName, keyId);
  if (signature === undefined) return Promise.resolve(false);
  return verifyBytesAsync(signedBytes(source), signature, verifyKey);
}

/** Thread-pool Ed25519 verification of raw bytes; resolves false on any crypto error. */
export function verifyBytesAsync(message: Buffer, signature: Uint8Array, verifyKey: VerifyKey): Promise<boolean> {
  return new Promise((resolve) => {
    cryptoVerify(null, message, verifyKey.keyObject, signature, (error, valid) => {
      resolve(error === null && valid);
    });
  });
}
