import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { densityFilter } from "../../../src/filters/density-filter.js";
import { eventJsonLength, lengthFilter } from "../../../src/filters/length-filter.js";
import { manyAtsFilter } from "../../../src/filters/many-ats-filter.js";
import { trimLengthFilter } from "../../../src/filters/trim-length-filter.js";
import { userIdLengthFilter } from "../../../src/filters/user-id-length-filter.js";
import { countWords, localpartOf, userIdWordsFilter } from "../../../src/filters/user-id-words-filter.js";
import { config, event, input, INSTANCE, message, summary } from "./helpers.js";

const FLOOD = "Prohibited org.matrix.msc4456.spam.flooding";

describe("many-ats filter (decoded content strings)", () => {
  const cfg = config({ many_ats_filter_max_ats: 3 });
  const cases: [content: Record<string, unknown>, expected: string][] = [
    [{ body: "@@@" }, FLOOD],
    [{ body: "@@" }, "Neutral"],
    [{ body: "@", formatted_body: "@", "m.mentions": { user_ids: ["@x:y"] } }, FLOOD],
    // `@` in key names does not count (upstream counted raw JSON: deviation on purpose).
    [{ "@a": 1, "@b": 2, "@c": 3, body: "" }, "Neutral"],
    [{ body: 123 }, "Neutral"],
  ];
  for (const [content, expected] of cases) {
    it(`${JSON.stringify(content)} → ${expected}`, () => {
      assert.equal(summary(manyAtsFilter.check(input(message(content), { config: cfg }), {})), expected);
    });
  }
  it("counts in any event type and in text mode", () => {
    const e = event({ type: "m.room.member", state_key: "@a:b", content: { displayname: "@@@" } });
    assert.equal(summary(manyAtsFilter.check(input(e, { config: cfg }), {})), FLOOD);
    assert.equal(summary(manyAtsFilter.checkText?.("a@b@c@", cfg) ?? assert.fail()), FLOOD);
    assert.equal(summary(manyAtsFilter.checkText?.("a@b@c", cfg) ?? assert.fail()), "Neutral");
  });
  it("is disabled at zero", () => {
    assert.equal(manyAtsFilter.enabled(config({ many_ats_filter_max_ats: 0 }), INSTANCE), false);
  });
});

describe("density filter (UTF-8 bytes, Go \\s whitespace)", () => {
  const cfg = config({ density_filter_max_density: 0.9, density_filter_min_trigger_length: 10 });
  const cases: [body: unknown, expected: string][] = [
    ["abcdefghi", "Neutral"], // 9 bytes: below the trigger length
    ["abcdefghij", FLOOD], // exactly the trigger length, density 1
    ["abcdefghi ", FLOOD], // 9/10 = 0.9: at the limit fires
    ["abcdefgh  ", "Neutral"], // 8/10
    // NBSP and vertical tab are not whitespace for Go RE2 \s, so they count as dense.
    ["abcdefgh\u00a0", FLOOD], // 10 bytes, none removed
    ["abcdefgh\v ", FLOOD], // 9/10
    // "é" is 2 bytes: 5 chars = 10 bytes, reaches the trigger length although only 5 UTF-16 units.
    ["ééééé", FLOOD],
    [42, "Neutral"],
  ];
  for (const [body, expected] of cases) {
    it(`${JSON.stringify(body)} → ${expected}`, () => {
      assert.equal(summary(densityFilter.check(input(message({ body }), { config: cfg }), {})), expected);
    });
  }
  it("an empty body never fires even with trigger length 0 (0/0)", () => {
    const c = config({ density_filter_max_density: 0.1, density_filter_min_trigger_length: 0 });
    assert.equal(summary(densityFilter.check(input(message({ body: "" }), { config: c }), {})), "Neutral");
  });
  it("only m.room.message; text mode works", () => {
    const e = event({ type: "m.room.topic", state_key: "", content: { body: "abcdefghijk" } });
    assert.equal(summary(densityFilter.check(input(e, { config: cfg }), {})), "Neutral");
    assert.equal(summary(densityFilter.checkText?.("abcdefghijk", cfg) ?? assert.fail()), FLOOD);
  });
  it("is disabled by zero or negative density", () => {
    assert.equal(densityFilter.enabled(config({ density_filter_max_density: 0 }), INSTANCE), false);
    assert.equal(densityFilter.enabled(config({ density_filter_max_density: -0.5 }), INSTANCE), false);
  });
});

describe("trim length filter (Go Unicode whitespace, UTF-8 bytes)", () => {
  const cfg = config({ trim_length_filter_max_difference: 4 });
  const cases: [body: unknown, expected: string][] = [
    ["   x", "Neutral"], // 3
    ["  x  ", FLOOD], // 4: at the limit fires
    ["\u3000x", "Neutral"], // U+3000 is 3 bytes
    ["\u3000x\u00a0", FLOOD], // 3 + 2 bytes
    ["\u0085\u0085x", FLOOD], // Go trims U+0085 (2 bytes each); JS trim() would not
    ["\ufeff\ufeffx", "Neutral"], // Go does not trim U+FEFF; JS trim() would
    ["    ", FLOOD],
    [null, "Neutral"],
  ];
  for (const [body, expected] of cases) {
    it(`${JSON.stringify(body)} → ${expected}`, () => {
      assert.equal(summary(trimLengthFilter.check(input(message({ body }), { config: cfg }), {})), expected);
    });
  }
  it("text mode", () => {
    assert.equal(summary(trimLengthFilter.checkText?.("x    ", cfg) ?? assert.fail()), FLOOD);
  });
});

describe("length filter (canonical event JSON, strictly greater)", () => {
  it("measures canonical JSON bytes without transient keys", () => {
    const e = event({ content: { body: "é" }, unsigned: { age: 1 }, event_id: "$x", age_ts: 1, outlier: false, destinations: [] });
    const expected = Buffer.byteLength(
      '{"content":{"body":"é"},"origin_server_ts":1700000000000,"room_id":"!room:example.org","sender":"@alice:example.org","type":"m.room.message"}',
    );
    assert.equal(eventJsonLength(e), expected);
  });
  it("fires only above the limit", () => {
    const e = message({ body: "hello" });
    const length = eventJsonLength(e);
    assert.equal(summary(lengthFilter.check(input(e, { config: config({ length_filter_max_length: length }) }), {})), "Neutral");
    assert.equal(summary(lengthFilter.check(input(e, { config: config({ length_filter_max_length: length - 1 }) }), {})), FLOOD);
  });
  it("only m.room.message; text mode counts UTF-8 bytes", () => {
    const e = event({ type: "m.room.topic", state_key: "", content: { topic: "x".repeat(100) } });
    assert.equal(summary(lengthFilter.check(input(e, { config: config({ length_filter_max_length: 10 }) }), {})), "Neutral");
    assert.equal(summary(lengthFilter.checkText?.("🙂🙂", config({ length_filter_max_length: 8 })) ?? assert.fail()), "Neutral");
    assert.equal(summary(lengthFilter.checkText?.("🙂🙂", config({ length_filter_max_length: 7 })) ?? assert.fail()), FLOOD);
  });
});

describe("user ID filters", () => {
  it("length counts UTF-8 bytes of the whole ID; fires above the limit", () => {
    const sender = "@abc:example.org"; // 16 bytes
    assert.equal(summary(userIdLengthFilter.check(input(event({ sender }), { config: config({ user_id_length_filter_max_length: 16 }) }), {})), "Neutral");
    assert.equal(summary(userIdLengthFilter.check(input(event({ sender }), { config: config({ user_id_length_filter_max_length: 15 }) }), {})), FLOOD);
    assert.equal(userIdLengthFilter.enabled(config(), INSTANCE), false);
  });
  it("words are maximal ASCII alphanumeric runs of the localpart", () => {
    assert.equal(localpartOf("@a.b-c_d=e:server.org"), "a.b-c_d=e");
    assert.equal(countWords("a.b-c_d=e"), 5);
    assert.equal(countWords("buy_cheap__pills99"), 3);
    assert.equal(countWords("ünïcode"), 2); // "n" and "code": non-ASCII letters separate words
    assert.equal(countWords("..."), 0);
  });
  it("words filter fires when count > max", () => {
    const sender = "@buy.cheap.pills:example.org";
    assert.equal(summary(userIdWordsFilter.check(input(event({ sender }), { config: config({ user_id_contains_words_filter_max_words: 3 }) }), {})), "Neutral");
    assert.equal(summary(userIdWordsFilter.check(input(event({ sender }), { config: config({ user_id_contains_words_filter_max_words: 2 }) }), {})), FLOOD);
    assert.equal(userIdWordsFilter.enabled(config(), INSTANCE), false);
  });
});
