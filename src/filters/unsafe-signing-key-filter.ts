/**
 * Unsafe signing key filter (filters.md §2.4, advisory ELEMENTSEC-2025-1670): Prohibited [other] when any signature on
 * the event was made by the publicly known key that old tooling generated from Go's `math/rand` seeded with 0.
 *
 * Ed25519 is deterministic, so "made by the unsafe key" means "equal to the signature that key makes over the redacted
 * event", compared with every signature present (every server, every key ID); ed25519-match.ts does that without a
 * full signature per event. Signatures are decoded in either
 * base64 alphabet, padded or not — upstream errored the whole check on a padded signature; we compare it. A signature
 * that is not base64 at all cannot be the unsafe key's and is ignored. Communities may switch the filter off.
 */
import { HARM_OTHER } from "../harms/ids.js";
import { sign } from "node:crypto";
import {
  decodeBase64,
  getRoomVersion,
  redactEvent,
  signedBytes,
  signingKeyFromSeed,
  type JsonObject,
  type SigningKey,
} from "../matrix/index.js";
import { signatureMatcher, type SignatureMatcher } from "./ed25519-match.js";
import { err } from "../result.js";
import { isJsonObject } from "./event-view.js";
import { neutral, prohibited } from "./outcome.js";
import type { FilterDefinition, FilterOutcome } from "./types.js";

const NAME = "unsafe_signing_key_filter";

/** The seed of the known-unsafe key (filters.md §2.4); its public key is `l/O9hxMVKB6Lg+3Hqf0FQQZhVESQcMzbPN1Cz2nM3og`. */
export const UNSAFE_KEY_SEED_HEX = "0194fdc2fa2ffcc041d3ff12045b73c86e4ff95ff662a5eee82abdf44a2d0b75";

// Derived on first use rather than at import so loading the registry costs nothing; the values are constants.
let unsafeKey: SigningKey | undefined;
const matchers = new WeakMap<SigningKey, SignatureMatcher>();

/** The known-unsafe signing key (the key ID is irrelevant to the signature bytes). */
export function unsafeSigningKey(): SigningKey {
  unsafeKey ??= signingKeyFromSeed("ed25519:unsafe", Buffer.from(UNSAFE_KEY_SEED_HEX, "hex"));
  return unsafeKey;
}

function matcherFor(key: SigningKey): SignatureMatcher {
  let matcher = matchers.get(key);
  if (matcher === undefined) {
    matcher = signatureMatcher(key.seed, key.publicKey, (message) => sign(null, message, key.privateKey));
    matchers.set(key, matcher);
  }
  return matcher;
}

/** Every signature on the PDU, decoded; malformed entries are skipped. */
export function decodedSignatures(pdu: Readonly<Record<string, unknown>>): Buffer[] {
  const out: Buffer[] = [];
  const signatures = pdu["signatures"];
  if (!isJsonObject(signatures)) return out;
  for (const server of Object.keys(signatures)) {
    const byKey = signatures[server];
    if (!isJsonObject(byKey)) continue;
    for (const keyId of Object.keys(byKey)) {
      const value = byKey[keyId];
      if (typeof value !== "string") continue;
      const decoded = decodeBase64(value);
      if (decoded.ok) out.push(decoded.value);
    }
  }
  return out;
}

/** Whether the PDU carries a signature the unsafe key made over its redacted form. */
export function checkUnsafeSignature(
  pdu: Readonly<Record<string, unknown>>,
  roomVersionId: string,
  key: SigningKey,
  /** `signedBytes(redactEvent(pdu))` when the caller has them already. */
  precomputed?: Uint8Array,
): FilterOutcome {
  const signatures = decodedSignatures(pdu);
  if (signatures.length === 0) return neutral();
  let message = precomputed;
  if (message === undefined) {
    const version = getRoomVersion(roomVersionId);
    if (!version.ok) return err({ filter: NAME, message: version.error });
    message = signedBytes(redactEvent(pdu as JsonObject, version.value));
  }
  return matcherFor(key)(message, signatures) ? prohibited(HARM_OTHER) : neutral();
}

export const unsafeSigningKeyFilter: FilterDefinition = {
  name: NAME,
  group: "prefilter",
  io: false,
  enabled: (config) => config.unsafe_signing_key_filter_enabled,
  check: ({ event }) => checkUnsafeSignature(event.pdu, event.roomVersion, unsafeSigningKey(), event.signedBytes),
};
