import assert from "node:assert/strict";
import { randomBytes, sign } from "node:crypto";
import { describe, it } from "node:test";
import { signatureMatcher } from "../../../src/filters/ed25519-match.js";
import { generateSigningKey } from "../../../src/matrix/index.js";

describe("Ed25519 signature matcher (cheap recomputation of S, confirmed by a real signature)", () => {
  it("recognises the key's own signatures and nothing else", () => {
    for (let i = 0; i < 20; i++) {
      const key = generateSigningKey();
      const other = generateSigningKey();
      let fullSignatures = 0;
      const matcher = signatureMatcher(key.seed, key.publicKey, (m) => {
        fullSignatures++;
        return sign(null, m, key.privateKey);
      });
      const message = randomBytes(1 + i * 37);
      const own = sign(null, message, key.privateKey);
      assert.equal(matcher(message, [own]), true);
      assert.equal(matcher(message, [randomBytes(64), own]), true);
      assert.equal(matcher(randomBytes(16), [own]), false, "same signature, different message");
      assert.equal(matcher(message, [sign(null, message, other.privateKey)]), false, "other key");
      const flipped = Buffer.from(own);
      flipped[40] = (flipped[40] ?? 0) ^ 1;
      assert.equal(matcher(message, [flipped]), false, "tampered S");
      assert.equal(matcher(message, [own.subarray(0, 63)]), false, "wrong length");
      assert.equal(matcher(message, []), false);
      // Only candidates that pass the cheap test pay for a full signature.
      assert.equal(fullSignatures, 2);
    }
  });
});
