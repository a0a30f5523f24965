// Cross-implementation check against Python signedjson (libsodium, Synapse's own library): Python verifies our
// signatures and we verify Python's, over random JSON with non-ASCII and astral keys. Skips visibly when the
// Debian package python3-signedjson is not installed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import fc from "fast-check";
import {
  encodeBase64,
  signingKeyFromSeed,
  signJson,
  verifyJsonSignature,
  verifyKeyOf,
  type JsonObject,
} from "../../../src/matrix/index.js";
import { jsonObjectArbitrary } from "./json-arbitrary.js";

const PYTHON_SCRIPT = `
import base64, json, sys
from signedjson.key import decode_signing_key_base64, decode_verify_key_bytes
from signedjson.sign import sign_json, verify_signed_json
req = json.load(sys.stdin)
pad = lambda s: s + "=" * (-len(s) % 4)
ours = decode_verify_key_bytes("ed25519:ours", base64.b64decode(pad(req["our_public_key"])))
verified = []
for doc in req["ours"]:
    try:
        verify_signed_json(doc, "ours.test", ours)
        verified.append(True)
    except Exception as e:
        verified.append(str(e))
key = decode_signing_key_base64("ed25519", "py", req["python_seed"])
print(json.dumps({"verified": verified, "signed": [sign_json(d, "py.test", key) for d in req["plain"]]}))
`;

/** The first interpreter that can import signedjson (pyenv shims often hide the Debian modules). */
function findPython(): string | undefined {
  for (const candidate of ["python3", "/usr/bin/python3"]) {
    const probe = spawnSync(candidate, ["-c", "import signedjson"], { stdio: "ignore" });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

test("python3-signedjson and our implementation verify each other's signatures", (t) => {
  const python = findPython();
  if (python === undefined) {
    t.skip("python3-signedjson not installed");
    return;
  }
  const ourKey = signingKeyFromSeed("ed25519:ours", randomBytes(32));
  const pythonSeed = randomBytes(32);
  const pythonKey = verifyKeyOf(signingKeyFromSeed("ed25519:py", pythonSeed));
  const docs = fc.sample(jsonObjectArbitrary, { numRuns: 200, seed: 4284 });
  docs.push({ "\uE000": 1, "\u{1F600}": 2, "日本": "語", a: { "\u{10000}": "x", "\uFFFF": "y" } });

  const request = {
    our_public_key: ourKey.publicKeyBase64,
    python_seed: encodeBase64(pythonSeed),
    ours: docs.map((d) => signJson(d, "ours.test", ourKey)),
    plain: docs,
  };
  const run = spawnSync(python, ["-c", PYTHON_SCRIPT], { input: JSON.stringify(request), encoding: "utf8", maxBuffer: 64 << 20 });
  assert.equal(run.status, 0, run.stderr);
  const reply = JSON.parse(run.stdout) as { verified: Array<true | string>; signed: JsonObject[] };

  assert.equal(reply.verified.length, docs.length);
  reply.verified.forEach((v, i) => assert.equal(v, true, `Python rejected our signature on ${JSON.stringify(docs[i])}: ${String(v)}`));
  assert.equal(reply.signed.length, docs.length);
  reply.signed.forEach((signed, i) => {
    assert.ok(verifyJsonSignature(signed, "py.test", "ed25519:py", pythonKey), `we rejected Python's signature on ${JSON.stringify(docs[i])}`);
  });
});
