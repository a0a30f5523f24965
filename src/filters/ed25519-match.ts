/**
 * "Is this the signature key K would make over message M?" without paying for an Ed25519 signature on every event.
 *
 * An Ed25519 signature is R ‖ S with r = SHA-512(prefix ‖ M) mod L, R = r·B and S = r + SHA-512(R ‖ A ‖ M)·a mod L
 * (RFC 8032). Knowing the private key, S can be recomputed from the candidate's own R with two hashes and some bigint
 * arithmetic, skipping the scalar multiplication that makes signing cost ~100 µs here. Only a candidate whose S
 * matches (in practice: a real signature by K) is confirmed with a full signature, so the answer is exact.
 */
import { createHash } from "node:crypto";

const L = (1n << 252n) + 27742317777372353535851937790883648493n;

function littleEndian(bytes: Uint8Array): bigint {
  // Going through hex is several times faster than shifting a BigInt byte by byte.
  return BigInt(`0x${Buffer.from(bytes).reverse().toString("hex")}`);
}

function sha512(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash("sha512");
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** Tests candidate signatures against the one `sign(message)` would produce for this key. */
export type SignatureMatcher = (message: Uint8Array, candidates: readonly Uint8Array[]) => boolean;

/**
 * Builds a matcher for the key with this 32-byte seed and public key; `sign` is the full (slow) signature used to
 * confirm a candidate that passes the cheap test.
 */
export function signatureMatcher(
  seed: Uint8Array,
  publicKey: Uint8Array,
  sign: (message: Uint8Array) => Uint8Array,
): SignatureMatcher {
  const expanded = sha512(seed);
  const scalarBytes = Uint8Array.from(expanded.subarray(0, 32));
  scalarBytes[0] = (scalarBytes[0] ?? 0) & 248;
  scalarBytes[31] = ((scalarBytes[31] ?? 0) & 127) | 64;
  const a = littleEndian(scalarBytes);
  const prefix = expanded.subarray(32, 64);
  return (message, candidates) => {
    const plausible = candidates.filter((c) => c.length === 64);
    if (plausible.length === 0) return false;
    const r = littleEndian(sha512(prefix, message)) % L;
    for (const candidate of plausible) {
      const k = littleEndian(sha512(candidate.subarray(0, 32), publicKey, message)) % L;
      if ((r + k * a) % L !== littleEndian(candidate.subarray(32, 64))) continue;
      if (Buffer.from(sign(message)).equals(Buffer.from(candidate))) return true;
    }
    return false;
  };
}
