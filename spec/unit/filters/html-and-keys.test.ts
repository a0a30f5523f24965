import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hasOversizedInlineImage, inlineEmojiSizeFilter } from "../../../src/filters/inline-emoji-size-filter.js";
import {
  checkUnsafeSignature,
  unsafeSigningKey,
  unsafeSigningKeyFilter,
} from "../../../src/filters/unsafe-signing-key-filter.js";
import { generateSigningKey, getRoomVersion, redactEvent, signatureOf, signedBytes, type JsonObject } from "../../../src/matrix/index.js";
import { config, event, input, INSTANCE, message, pdu, summary } from "./helpers.js";

describe("inline emoji size filter (parse5 tokenizer)", () => {
  const cases: [html: string, fires: boolean][] = [
    ['<img data-mx-emoticon height="32" src="mxc://a/b">', false],
    ['<img data-mx-emoticon height="33" src="mxc://a/b">', true],
    ['<img data-mx-emoticon height="0">', false],
    ['<img data-mx-emoticon height="032">', false],
    ['<img height="16" src="mxc://a/b">', true], // not an emoticon
    ['<img data-mx-emoticon src="mxc://a/b">', true], // no height
    ['<img data-mx-emoticon height="16px">', true],
    ['<img data-mx-emoticon height=" 16">', true],
    ['<img data-mx-emoticon height="+16">', true],
    ['<img data-mx-emoticon height="">', true],
    ['<img data-mx-emoticon height="99999999999999999999999">', true],
    ['<img data-mx-emoticon height="16" height="8">', true], // repeated height
    ['<img data-mx-emoticon alt="a" alt="b" height="8">', false], // other repeated attributes are harmless
    ['<IMG DATA-MX-EMOTICON HEIGHT="16">', false], // names are case-insensitive
    ['<img data-mx-emoticon height="&#51;&#50;">', false], // entity-decoded value: "32"
    ['<img data-mx-emoticon height="&#51;&#51;">', true],
    ['<img data-mx-emoticon height="16"/>', false], // self-closing
    ["<p>no images</p>", false],
    ['<script><img src="x"></script>', false], // raw text, not a tag
    ['<style><img src="x"></style><img src=y>', true], // the tag after the raw text is seen
    ['<textarea><img src="x"></textarea>', false],
    ['<!-- <img src="x"> -->', false],
    ['text <img src="x"', false], // unterminated at end of input: never emitted
    ['<b>ok</b><img data-mx-emoticon height="8"><img src=x>', true],
    ["<ImG src=x>", true], // the "<img" pre-check is case-insensitive, as tag names are
    ["<img\tsrc=x>", true],
    ["<i mg src=x>", false],
    ["<im\u0000g src=x>", false], // NUL in a tag name becomes U+FFFD: not img
    ["&lt;img src=x&gt;", false], // text, not a tag
    ["<imgx src=x>", false],
  ];
  for (const [html, fires] of cases) {
    it(`${JSON.stringify(html)} → ${fires ? "fires" : "passes"}`, () => {
      assert.equal(hasOversizedInlineImage(html, 32), fires);
    });
  }
  it("prohibits with spam + spec_non_compliance, only for m.room.message with a formatted body", () => {
    const bad = message({ body: "x", formatted_body: '<img src="mxc://a/b">' });
    assert.equal(summary(inlineEmojiSizeFilter.check(input(bad), {})), "Prohibited org.matrix.msc4456.spam org.matrix.policyserv.spec_non_compliance");
    assert.equal(summary(inlineEmojiSizeFilter.check(input(message({ body: "x", formatted_body: 5 })), {})), "Neutral");
    const topic = event({ type: "m.room.topic", state_key: "", content: { formatted_body: '<img src="x">' } });
    assert.equal(summary(inlineEmojiSizeFilter.check(input(topic), {})), "Neutral");
  });
  it("is on by default (32 px) and off at zero", () => {
    assert.equal(inlineEmojiSizeFilter.enabled(config(), INSTANCE), true);
    assert.equal(inlineEmojiSizeFilter.enabled(config({ inline_emoji_size_filter_max_height_pixels: 0 }), INSTANCE), false);
  });
});

describe("unsafe signing key filter", () => {
  const version = (() => {
    const v = getRoomVersion("10");
    if (!v.ok) throw new Error(v.error);
    return v.value;
  })();
  const base = pdu({ content: { body: "hello", msgtype: "m.text" }, hashes: { sha256: "x" }, depth: 3 });
  const signWith = (key: ReturnType<typeof generateSigningKey>) => signatureOf(redactEvent(base as JsonObject, version), key);

  it("derives the published unsafe public key", () => {
    assert.equal(unsafeSigningKey().publicKeyBase64, "l/O9hxMVKB6Lg+3Hqf0FQQZhVESQcMzbPN1Cz2nM3og");
  });
  it("fires on a signature made by the unsafe key, under any server and key ID", () => {
    const signed = { ...base, signatures: { "example.org": { "ed25519:a": signWith(generateSigningKey()) }, "other.example": { "ed25519:zzz": signWith(unsafeSigningKey()) } } };
    assert.equal(summary(checkUnsafeSignature(signed, "10", unsafeSigningKey())), "Prohibited org.matrix.msc4456.other");
  });
  it("fires on a padded or URL-safe signature too (upstream errored on padding: fixed)", () => {
    const raw = Buffer.from(signWith(unsafeSigningKey()), "base64");
    for (const encoded of [raw.toString("base64"), raw.toString("base64url")]) {
      const signed = { ...base, signatures: { "example.org": { "ed25519:a": encoded } } };
      assert.equal(summary(checkUnsafeSignature(signed, "10", unsafeSigningKey())), "Prohibited org.matrix.msc4456.other");
    }
  });
  it("passes events signed by other keys, and ignores garbage signatures", () => {
    const signed = { ...base, signatures: { "example.org": { "ed25519:a": signWith(generateSigningKey()), "ed25519:b": "not base64!", "ed25519:c": 5 } } };
    assert.equal(summary(checkUnsafeSignature(signed, "10", unsafeSigningKey())), "Neutral");
    assert.equal(summary(checkUnsafeSignature({ ...base, signatures: [] }, "10", unsafeSigningKey())), "Neutral");
  });
  it("uses the signed bytes the caller already computed, with the same answers", () => {
    const message = signedBytes(redactEvent(base as JsonObject, version));
    const unsafe = { ...base, signatures: { "example.org": { "ed25519:a": signWith(unsafeSigningKey()) } } };
    const safe = { ...base, signatures: { "example.org": { "ed25519:a": signWith(generateSigningKey()) } } };
    assert.equal(summary(checkUnsafeSignature(unsafe, "10", unsafeSigningKey(), message)), "Prohibited org.matrix.msc4456.other");
    assert.equal(summary(checkUnsafeSignature(safe, "10", unsafeSigningKey(), message)), "Neutral");
    // The bytes are trusted as given: the filter does not recompute them (that is the point of passing them).
    assert.equal(summary(checkUnsafeSignature(unsafe, "10", unsafeSigningKey(), Buffer.from("other"))), "Neutral");
  });
  it("an unsafe-key signature over a different event does not match this one", () => {
    const other = { ...base, origin_server_ts: 1 };
    const sig = signatureOf(redactEvent(other as JsonObject, version), unsafeSigningKey());
    const signed = { ...base, signatures: { "x.org": { "ed25519:a": sig } } };
    assert.equal(summary(checkUnsafeSignature(signed, "10", unsafeSigningKey())), "Neutral");
  });
  it("an unknown room version is a failure value, not a crash", () => {
    const signed = { ...base, signatures: { "example.org": { "ed25519:a": signWith(unsafeSigningKey()) } } };
    const outcome = checkUnsafeSignature(signed, "999", unsafeSigningKey());
    assert.equal(outcome.ok, false);
  });
  it("runs through the filter definition and can be switched off per community", () => {
    const signed = { ...base, signatures: { "example.org": { "ed25519:a": signWith(unsafeSigningKey()) } } };
    assert.equal(summary(unsafeSigningKeyFilter.check(input(event(signed)), {})), "Prohibited org.matrix.msc4456.other");
    assert.equal(unsafeSigningKeyFilter.enabled(config({ unsafe_signing_key_filter_enabled: false }), INSTANCE), false);
    assert.equal(unsafeSigningKeyFilter.enabled(config(), INSTANCE), true);
  });
});
