import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mediaFilter } from "../../../src/filters/media-filter.js";
import { isTrustedForMedia, powerLevelTrust } from "../../../src/filters/trust.js";
import type { PowerLevels, RoomFacts } from "../../../src/filters/types.js";
import { untrustedMediaFilter } from "../../../src/filters/untrusted-media-filter.js";
import { config, EMPTY_ROOM, event, input, INSTANCE, summary } from "./helpers.js";

const MEDIA = "Prohibited org.matrix.msc4456.spam org.matrix.policyserv.media";

describe("media filter", () => {
  const cases: [fields: Record<string, unknown>, expected: string][] = [
    [{ type: "m.sticker", content: { body: "x" } }, MEDIA],
    [{ type: "m.room.message", content: { msgtype: "m.image", body: "x" } }, MEDIA],
    [{ type: "m.room.message", content: { msgtype: "m.text", body: "m.image" } }, "Neutral"],
    [{ type: "m.room.message", content: { msgtype: 5 } }, "Neutral"],
    // msgtype only counts for m.room.message.
    [{ type: "m.room.topic", state_key: "", content: { msgtype: "m.image" } }, "Neutral"],
    [{ type: "m.room.message", content: { msgtype: "M.IMAGE" } }, "Neutral"],
  ];
  for (const [fields, expected] of cases) {
    it(`${JSON.stringify(fields)} → ${expected}`, () => {
      assert.equal(summary(mediaFilter.check(input(event(fields)), {})), expected);
    });
  }
  it("is disabled by an empty list", () => {
    assert.equal(mediaFilter.enabled(config({ media_filter_media_types: [] }), INSTANCE), false);
  });
});

const levels = (users: Record<string, number>, usersDefault = 0, stateDefault = 50): PowerLevels => ({
  users,
  users_default: usersDefault,
  state_default: stateDefault,
  events: {},
  events_default: 0,
  ban: 50,
  kick: 50,
  redact: 50,
  invite: 0,
});

describe("trust sources (filters.md §5)", () => {
  const room: RoomFacts = { members: [], powerLevels: levels({ "@mod:example.org": 50, "@half:example.org": 49 }), creators: ["@creator:example.org"] };
  const trusted = (userId: string, overrides = {}, muninn: string[] = [], r: RoomFacts = room): boolean =>
    isTrustedForMedia({ userId, config: config(overrides), room: r, muninnServers: new Set(muninn) });

  it("power level >= state_default trusts; one below does not", () => {
    assert.equal(trusted("@mod:example.org"), true);
    assert.equal(trusted("@half:example.org"), false);
    assert.equal(powerLevelTrust("@x:y", { ...EMPTY_ROOM, powerLevels: levels({}, 50, 50) }), true);
    assert.equal(powerLevelTrust("@x:y", EMPTY_ROOM), undefined);
  });
  it("v12 creators are trusted", () => {
    assert.equal(trusted("@creator:example.org"), true);
  });
  it("power levels and creators are ignored when use_power_levels is off", () => {
    assert.equal(trusted("@mod:example.org", { untrusted_media_filter_use_power_levels: false }), false);
    assert.equal(trusted("@creator:example.org", { untrusted_media_filter_use_power_levels: false }), false);
  });
  it("Muninn servers trust by exact server name (port included), when enabled", () => {
    assert.equal(trusted("@a:muninn.example", {}, ["muninn.example"]), true);
    assert.equal(trusted("@a:muninn.example:8448", {}, ["muninn.example"]), false);
    assert.equal(trusted("@a:muninn.example", { untrusted_media_filter_use_muninn: false }, ["muninn.example"]), false);
  });
  it("allow globs trust; deny globs always win", () => {
    assert.equal(trusted("@friend:example.org", { untrusted_media_filter_allowed_user_globs: ["@friend:*"] }), true);
    assert.equal(
      trusted("@mod:example.org", { untrusted_media_filter_denied_user_globs: ["@mod:*"] }),
      false,
    );
    assert.equal(
      trusted("@a:muninn.example", { untrusted_media_filter_denied_user_globs: ["*:muninn.example"] }, ["muninn.example"]),
      false,
    );
  });
  it("no source saying yes means untrusted", () => {
    assert.equal(trusted("@nobody:example.org", {}, [], EMPTY_ROOM), false);
  });
});

describe("untrusted media filter", () => {
  const room: RoomFacts = { members: [], powerLevels: levels({ "@mod:example.org": 100 }), creators: undefined };
  const image = (sender: string) => event({ sender, content: { msgtype: "m.image", body: "x.png" } });
  it("blocks media from untrusted senders", () => {
    assert.equal(summary(untrustedMediaFilter.check(input(image("@rando:example.org"), { room }), {})), MEDIA);
  });
  it("lets trusted senders through", () => {
    assert.equal(summary(untrustedMediaFilter.check(input(image("@mod:example.org"), { room }), {})), "Neutral");
  });
  it("ignores non-media events", () => {
    assert.equal(summary(untrustedMediaFilter.check(input(event({ sender: "@rando:example.org" }), { room }), {})), "Neutral");
  });
  it("uses its own media type list", () => {
    const c = config({ untrusted_media_filter_media_types: ["m.video"] });
    assert.equal(summary(untrustedMediaFilter.check(input(image("@rando:example.org"), { room, config: c }), {})), "Neutral");
  });
});
