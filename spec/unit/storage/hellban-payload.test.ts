import assert from "node:assert/strict";
import { it } from "node:test";
import fc from "fast-check";
import { decodeHellbanPayload, encodeHellbanPayload } from "../../../src/storage/hellban-payload.js";

it("encodes upstream's CSV record, quoting only where Go's encoding/csv would", () => {
  assert.equal(encodeHellbanPayload({ communityId: "2Zx", userId: "@u:x" }), "2Zx,@u:x\n");
  assert.equal(encodeHellbanPayload({ communityId: "", userId: "@u:x" }), "default,@u:x\n");
  assert.equal(encodeHellbanPayload({ communityId: "c", userId: '@a"b:x' }), 'c,"@a""b:x"\n');
  assert.equal(encodeHellbanPayload({ communityId: "c", userId: "@a,b:x" }), 'c,"@a,b:x"\n');
  assert.equal(encodeHellbanPayload({ communityId: "c", userId: " @a:x" }), 'c," @a:x"\n');
  assert.equal(encodeHellbanPayload({ communityId: "c", userId: "\u3000@a:x" }), 'c,"\u3000@a:x"\n');
  assert.equal(encodeHellbanPayload({ communityId: "c", userId: "\\." }), 'c,"\\."\n');
  assert.equal(encodeHellbanPayload({ communityId: "c", userId: "@a :x" }), "c,@a :x\n", "inner spaces need no quotes");
});

it("decodes Go-written payloads, with or without a CRLF", () => {
  assert.deepEqual(decodeHellbanPayload("c,@u:x\n"), { ok: true, value: { communityId: "c", userId: "@u:x" } });
  assert.deepEqual(decodeHellbanPayload("c,@u:x\r\n"), { ok: true, value: { communityId: "c", userId: "@u:x" } });
  assert.deepEqual(decodeHellbanPayload('c,"@a,""b:x"\n'), { ok: true, value: { communityId: "c", userId: '@a,"b:x' } });
  assert.deepEqual(decodeHellbanPayload(",@u:x\n"), { ok: true, value: { communityId: "default", userId: "@u:x" } });
});

it("rejects malformed payloads with a message saying what was wrong", () => {
  const cases: [string, RegExp][] = [
    ["c\n", /expected 2 fields \(community,user\), got 1/],
    ["a,b,c\n", /expected 2 fields \(community,user\), got 3/],
    ['c,"@u:x\n', /unterminated quoted field/],
    ['c,@u"x\n', /bare " in a field/],
    ["c,@u:x\nd,@v:x\n", /more than one record/],
    ["c,\n", /empty user ID/],
    ['c,"@u"x\n', /unexpected character after a quoted field/],
  ];
  for (const [payload, message] of cases) {
    const result = decodeHellbanPayload(payload);
    assert.ok(!result.ok, payload);
    assert.match(result.error, message);
    assert.ok(result.error.includes(JSON.stringify(payload)), "names the payload");
  }
});

it("round-trips any community and user ID", () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (communityId, userId) => {
      const decoded = decodeHellbanPayload(encodeHellbanPayload({ communityId, userId }));
      assert.deepEqual(decoded, { ok: true, value: { communityId, userId } });
    }),
  );
});
