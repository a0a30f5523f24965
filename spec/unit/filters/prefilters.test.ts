import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eventTypePrefilter } from "../../../src/filters/event-type-prefilter.js";
import { hellbanPostfilter } from "../../../src/filters/hellban-postfilter.js";
import { hellbanPrefilter } from "../../../src/filters/hellban-prefilter.js";
import { protectLocalUserFilter } from "../../../src/filters/protect-local-user-filter.js";
import { senderPrefilter } from "../../../src/filters/sender-prefilter.js";
import { config, event, input, INSTANCE, summary } from "./helpers.js";

describe("sender prefilter", () => {
  const cfg = config({ sender_prefilter_allowed_senders: ["@mod:example.org", " @trimmed:example.org "] });
  const cases: [string, string][] = [
    ["@mod:example.org", "Allowed"],
    ["@trimmed:example.org", "Allowed"],
    ["@MOD:example.org", "Neutral"],
    ["@mod:example.org.evil", "Neutral"],
    ["@alice:example.org", "Neutral"],
  ];
  for (const [sender, expected] of cases) {
    it(`${sender} → ${expected}`, () => {
      assert.equal(summary(senderPrefilter.check(input(event({ sender }), { config: cfg }), {})), expected);
    });
  }
  it("is enabled only with a non-empty list (blank items do not count)", () => {
    assert.equal(senderPrefilter.enabled(config(), INSTANCE), false);
    assert.equal(senderPrefilter.enabled(config({ sender_prefilter_allowed_senders: ["", " "] }), INSTANCE), false);
    assert.equal(senderPrefilter.enabled(cfg, INSTANCE), true);
  });
});

describe("event type prefilter", () => {
  const cases: [fields: Record<string, unknown>, expected: string][] = [
    [{ type: "m.room.redaction" }, "Allowed"],
    [{ type: "m.room.redaction", state_key: "" }, "Neutral"],
    [{ type: "m.room.name", state_key: "" }, "Allowed"],
    [{ type: "m.room.name" }, "Neutral"],
    [{ type: "m.room.member", state_key: "@a:b" }, "Neutral"],
    [{ type: "m.room.message" }, "Neutral"],
    [{ type: "M.ROOM.REDACTION" }, "Neutral"],
  ];
  for (const [fields, expected] of cases) {
    it(`${JSON.stringify(fields)} → ${expected}`, () => {
      assert.equal(summary(eventTypePrefilter.check(input(event(fields)), {})), expected);
    });
  }
  it("is enabled when either list is non-empty", () => {
    assert.equal(eventTypePrefilter.enabled(config(), INSTANCE), true);
    const none = config({ event_type_prefilter_allowed_event_types: [], event_type_prefilter_allowed_state_event_types: [] });
    assert.equal(eventTypePrefilter.enabled(none, INSTANCE), false);
    assert.equal(eventTypePrefilter.enabled({ ...none, event_type_prefilter_allowed_state_event_types: ["x"] }, INSTANCE), true);
  });
});

describe("hellban filters", () => {
  it("prefilter prohibits a hellbanned sender with spam.flooding", () => {
    assert.equal(summary(hellbanPrefilter.check(input(event(), { senderHellbanned: true }), {})), "Prohibited org.matrix.msc4456.spam.flooding");
    assert.equal(summary(hellbanPrefilter.check(input(event()), {})), "Neutral");
  });
  it("postfilter returns the hellban effect with the configured minutes", () => {
    const outcome = hellbanPostfilter.check(input(event(), { config: config({ hellban_postfilter_minutes: 5 }) }), {});
    assert.ok(!(outcome instanceof Promise) && outcome.ok);
    assert.deepEqual(outcome.value.effects, [{ type: "hellban", sender: "@alice:example.org", minutes: 5 }]);
    assert.deepEqual(outcome.value.info.harms, ["org.matrix.msc4456.spam.flooding"]);
  });
  it("both are enabled only when minutes > 0 (zero and negative disable)", () => {
    for (const minutes of [0, -1]) {
      assert.equal(hellbanPrefilter.enabled(config({ hellban_postfilter_minutes: minutes }), INSTANCE), false);
      assert.equal(hellbanPostfilter.enabled(config({ hellban_postfilter_minutes: minutes }), INSTANCE), false);
    }
    assert.equal(hellbanPrefilter.enabled(config({ hellban_postfilter_minutes: 1 }), INSTANCE), true);
  });
});

describe("protect local user filter", () => {
  const local = "@policyserv:policy.example";
  const cases: [fields: Record<string, unknown>, expected: string][] = [
    [{ type: "m.room.member", state_key: local, sender: "@mod:example.org", content: { membership: "ban" } }, "Prohibited org.matrix.msc4456.other"],
    [{ type: "m.room.member", state_key: local, sender: "@mod:example.org", content: { membership: "invite" } }, "Prohibited org.matrix.msc4456.other"],
    [{ type: "m.room.member", state_key: local, sender: local, content: { membership: "join" } }, "Neutral"],
    [{ type: "m.room.member", state_key: "@other:example.org", sender: "@mod:example.org" }, "Neutral"],
    [{ type: "m.room.message", state_key: local, sender: "@mod:example.org" }, "Neutral"],
  ];
  for (const [fields, expected] of cases) {
    it(`${JSON.stringify(fields)} → ${expected}`, () => {
      assert.equal(summary(protectLocalUserFilter.check(input(event(fields)), {})), expected);
    });
  }
  it("is always enabled", () => {
    assert.equal(protectLocalUserFilter.enabled(config(), INSTANCE), true);
  });
});
