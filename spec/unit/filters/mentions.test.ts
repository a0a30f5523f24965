import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { countMentions, mentionsFilter } from "../../../src/filters/mentions-filter.js";
import type { RoomFacts } from "../../../src/filters/types.js";
import { config, event, input, INSTANCE, message, summary } from "./helpers.js";

const members: RoomFacts["members"] = [
  { userId: "@m1:example.org", displayName: "Mention1" },
  { userId: "@m2:example.org", displayName: "Mention2" },
  { userId: "@m3:example.org", displayName: "Bob" },
  { userId: "@m4:example.org", displayName: "Zoë" },
  { userId: "@m10:example.org", displayName: "Mention10" },
];
const room: RoomFacts = { members, powerLevels: undefined, creators: undefined };

describe("mention counting", () => {
  const cases: [content: Record<string, unknown>, minLength: number, expected: number][] = [
    [{ body: "hi" }, 5, 0],
    [{ body: "@m1:example.org and @m2:example.org" }, 5, 2],
    [{ body: "Mention1 Mention2" }, 5, 2],
    // "Mention1" is found inside "Mention10", as upstream (plain substring).
    [{ body: "Mention10" }, 5, 2],
    // Display names shorter than the minimum (UTF-8 bytes) are ignored: "Bob" is 3 bytes, "Zoë" is 4 bytes.
    [{ body: "Bob Zoë" }, 5, 0],
    [{ body: "Bob Zoë" }, 4, 1],
    [{ body: "Bob Zoë" }, 3, 2],
    [{ body: "x", formatted_body: "<a href='https://matrix.to/#/@m1:example.org'>Mention1</a>" }, 5, 1],
    [{ body: "x", "m.mentions": { user_ids: ["@m1:example.org", "@m1:example.org", "@stranger:x"] } }, 5, 1],
    // A member both in m.mentions and in the text counts once (upstream counted twice: deviation on purpose).
    [{ body: "@m1:example.org", "m.mentions": { user_ids: ["@m1:example.org"] } }, 5, 1],
    // Malformed m.mentions / user_ids / bodies read as absent (decisions §3.2), never an error.
    [{ body: "x", "m.mentions": ["@m1:example.org"] }, 5, 0],
    [{ body: "x", "m.mentions": { user_ids: "@m1:example.org" } }, 5, 0],
    [{ body: "x", "m.mentions": { user_ids: [1, "@m2:example.org"] } }, 5, 1],
    [{ body: ["@m1:example.org"], formatted_body: 3 }, 5, 0],
    // Case-sensitive.
    [{ body: "MENTION1" }, 5, 0],
  ];
  for (const [content, minLength, expected] of cases) {
    it(`${JSON.stringify(content)} (min ${minLength}) → ${expected}`, () => {
      assert.equal(countMentions(message(content), members, minLength), expected);
    });
  }
});

describe("mentions filter", () => {
  const body = "@m1:example.org @m2:example.org @m3:example.org";
  it("fires exactly at the limit (count >= max) and not one below", () => {
    assert.equal(summary(mentionsFilter.check(input(message({ body }), { room, config: config({ mention_filter_max_mentions: 3 }) }), {})), "Prohibited org.matrix.msc4456.spam.flooding");
    assert.equal(summary(mentionsFilter.check(input(message({ body }), { room, config: config({ mention_filter_max_mentions: 4 }) }), {})), "Neutral");
  });
  it("only checks m.room.message", () => {
    const e = event({ type: "m.room.topic", state_key: "", content: { body } });
    assert.equal(summary(mentionsFilter.check(input(e, { room, config: config({ mention_filter_max_mentions: 1 }) }), {})), "Neutral");
  });
  it("is disabled by zero or a negative maximum", () => {
    assert.equal(mentionsFilter.enabled(config({ mention_filter_max_mentions: 0 }), INSTANCE), false);
    assert.equal(mentionsFilter.enabled(config({ mention_filter_max_mentions: -1 }), INSTANCE), false);
    assert.equal(mentionsFilter.enabled(config(), INSTANCE), true);
  });
});
