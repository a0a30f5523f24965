import assert from "node:assert/strict";
import { it } from "node:test";
import { contentInfo } from "../../../src/harms/content-info.js";
import { decodeVerdict, encodeVerdict } from "../../../src/storage/verdict-vectors.js";

it("encodes verdicts as newer upstream stores them", () => {
  assert.deepEqual(encodeVerdict(contentInfo("Neutral")), { isProbablySpam: false, confidenceVectors: "{}" });
  assert.deepEqual(encodeVerdict(contentInfo("Allowed")), { isProbablySpam: false, confidenceVectors: '{"Allowed":1}' });
  assert.deepEqual(encodeVerdict(contentInfo("Prohibited", ["org.matrix.msc4456.spam", "org.matrix.msc4456.harassment"])), {
    isProbablySpam: true,
    confidenceVectors: '{"h:org.matrix.msc4456.harassment":1,"h:org.matrix.msc4456.spam":1}',
  });
  assert.deepEqual(encodeVerdict(contentInfo("Prohibited", ["org.matrix.policyserv.vec.keyword"])), {
    isProbablySpam: true,
    confidenceVectors: '{"keyword":1}',
  });
});

it("round-trips every class", () => {
  for (const info of [
    contentInfo("Neutral"),
    contentInfo("Allowed"),
    contentInfo("Prohibited"),
    contentInfo("Prohibited", ["a.b", "org.matrix.policyserv.vec.frequency"]),
  ]) {
    const encoded = encodeVerdict(info);
    assert.deepEqual(decodeVerdict(encoded.isProbablySpam, encoded.confidenceVectors), info);
  }
});

it("decodes seed-era rows by their spam flag (the seed wrote spam: 0.5 on every event)", () => {
  assert.deepEqual(decodeVerdict(false, '{"spam":0.5}'), contentInfo("Neutral"));
  assert.deepEqual(
    decodeVerdict(true, '{"frequency":1,"spam":1}'),
    contentInfo("Prohibited", ["org.matrix.policyserv.vec.frequency", "org.matrix.policyserv.vec.spam"]),
  );
  assert.deepEqual(decodeVerdict(true, "{}"), contentInfo("Prohibited"), "spam without vectors is Prohibited/other");
});

it("treats unreadable vectors as none instead of failing", () => {
  assert.deepEqual(decodeVerdict(false, "not json"), contentInfo("Neutral"));
  assert.deepEqual(decodeVerdict(false, ""), contentInfo("Neutral"));
  assert.deepEqual(decodeVerdict(false, "[1]"), contentInfo("Neutral"));
  assert.deepEqual(decodeVerdict(false, '{"h:x.y":1}'), contentInfo("Prohibited", ["x.y"]), "a harm always prohibits");
});
