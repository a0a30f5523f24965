import { createHash, createPrivateKey, createPublicKey, randomBytes, type KeyObject } from "node:crypto";
import * as ed from "@noble/ed25519";
import { err, ok, type Result } from "../result.js";
import { decodeBase64, encodeBase64 } from "./base64.js";

/** An Ed25519 key we sign with: the seed (for key files), the raw public key and a cached node KeyObject. */
export interface SigningKey {
  /** `ed25519:<version>`. */
  readonly keyId: string;
  /** The 32-byte RFC 8032 seed, as stored in key files. */
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  /** Standard unpadded base64 of `publicKey`, the form published in key responses and well-knowns. */
  readonly publicKeyBase64: string;
  /** Built once: creating a KeyObject per signature costs more than the signature itself (runtime.md §2.3). */
  readonly privateKey: KeyObject;
}

/** A remote (or our own) Ed25519 public key, checked and ready for node:crypto verification. */
export interface VerifyKey {
  readonly publicKey: Uint8Array;
  readonly publicKeyBase64: string;
  /** Cached so each verification skips SPKI parsing, which halves throughput (runtime.md §2.3). */
  readonly keyObject: KeyObject;
}

/**
 * Finds a server's public key, injected so the primitives stay free of I/O. `atTs` is when the key must have been
 * valid (an event's `origin_server_ts`, federation.md §3.5); absent means now (X-Matrix). Undefined means the key
 * could not be obtained or was not valid then.
 */
export type KeyLookup = (serverName: string, keyId: string, atTs?: number) => Promise<VerifyKey | undefined>;

const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const KEY_VERSION = /^[A-Za-z0-9_]+$/;

/**
 * noble's synchronous API needs a SHA-512; wiring node:crypto's is the documented way. Done lazily and only when
 * nothing else set one, so importing this module changes nothing for other users of noble.
 */
function ensureNobleSha512(): void {
  if (ed.hashes.sha512 === undefined) {
    ed.hashes.sha512 = (message) => new Uint8Array(createHash("sha512").update(message).digest());
  }
}

/**
 * Builds a signing key from a 32-byte seed and its key ID. Key-file parsers validate their input first, so a seed
 * of the wrong length or a key ID that is not `ed25519:<[A-Za-z0-9_]+>` is a caller bug and throws a RangeError.
 */
export function signingKeyFromSeed(keyId: string, seed: Uint8Array): SigningKey {
  if (seed.length !== 32) throw new RangeError(`an ed25519 seed is 32 bytes, got ${seed.length}`);
  if (!keyId.startsWith("ed25519:") || !KEY_VERSION.test(keyId.slice("ed25519:".length))) {
    throw new RangeError(`key ID must be "ed25519:" followed by [A-Za-z0-9_]+, got ${JSON.stringify(keyId)}`);
  }
  ensureNobleSha512();
  const seedCopy = new Uint8Array(seed);
  const publicKey = ed.getPublicKey(seedCopy);
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seedCopy]),
    format: "der",
    type: "pkcs8",
  });
  return { keyId, seed: seedCopy, publicKey, publicKeyBase64: encodeBase64(publicKey), privateKey };
}

/**
 * A fresh random key. The version defaults to `a_` plus four random alphanumerics, the shape Synapse uses, so
 * it is always valid in a key ID.
 */
export function generateSigningKey(version?: string): SigningKey {
  const chosen = version ?? `a_${randomAlphanumerics(4)}`;
  return signingKeyFromSeed(`ed25519:${chosen}`, randomBytes(32));
}

function randomAlphanumerics(length: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  let out = "";
  for (const byte of randomBytes(length)) out += alphabet[byte % alphabet.length];
  return out;
}

/**
 * Checks raw public key bytes once, when a key is learned. Small-order keys are refused because node/OpenSSL
 * accepts a forged signature under them for any message (runtime.md §2.2), where libsodium-based Synapse would not.
 */
export function verifyKeyFromBytes(publicKey: Uint8Array): Result<VerifyKey, string> {
  if (publicKey.length !== 32) return err(`an ed25519 public key is 32 bytes, got ${publicKey.length}`);
  let point: ed.Point;
  try {
    point = ed.Point.fromBytes(publicKey);
  } catch {
    return err("ed25519 public key is not a valid curve point");
  }
  if (point.isSmallOrder()) return err("ed25519 public key has small order and would accept forged signatures");
  const raw = new Uint8Array(publicKey);
  const keyObject = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: "der", type: "spki" });
  return ok({ publicKey: raw, publicKeyBase64: encodeBase64(raw), keyObject });
}

/** `verifyKeyFromBytes` for a key as published (`verify_keys`, `m.room.policy`): either alphabet, padded or not. */
export function verifyKeyFromBase64(publicKeyBase64: string): Result<VerifyKey, string> {
  const decoded = decodeBase64(publicKeyBase64);
  if (!decoded.ok) return err(`ed25519 public key: ${decoded.error}`);
  return verifyKeyFromBytes(decoded.value);
}

/** The verify key matching one of our signing keys (for self-checks and tests). */
export function verifyKeyOf(key: SigningKey): VerifyKey {
  const result = verifyKeyFromBytes(key.publicKey);
  if (!result.ok) throw new Error(`our own public key was refused: ${result.error}`);
  return result.value;
}
