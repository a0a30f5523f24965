import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  contentString,
  contentStrings,
  eventStrings,
  eventWithoutTransientKeys,
  MAX_STRING_DEPTH,
  toFilterEvent,
} from "../../../src/filters/event-view.js";
import { event } from "./helpers.js";

describe("toFilterEvent", () => {
  it("reads the PDU fields", () => {
    const e = toFilterEvent({
      pdu: { type: "m.room.member", sender: "@a:b", room_id: "!r:b", state_key: "", origin_server_ts: 5, content: { membership: "join" } },
      eventId: "$e",
      roomVersion: "11",
    });
    assert.equal(e.type, "m.room.member");
    assert.equal(e.stateKey, "");
    assert.equal(e.roomId, "!r:b");
    assert.equal(e.originServerTs, 5);
    assert.deepEqual(e.content, { membership: "join" });
  });
  it("treats malformed fields as absent, not as errors (decisions §3.2)", () => {
    const e = toFilterEvent({ pdu: { type: 5, sender: null, content: [1, 2], state_key: 7 }, eventId: "$e", roomVersion: "11" });
    assert.equal(e.type, "");
    assert.equal(e.sender, "");
    assert.equal(e.stateKey, undefined);
    assert.deepEqual(e.content, {});
  });
  it("contentString reads only strings", () => {
    const e = event({ content: { body: 42, formatted_body: null, msgtype: "m.text" } });
    assert.equal(contentString(e, "body"), "");
    assert.equal(contentString(e, "formatted_body"), "");
    assert.equal(contentString(e, "msgtype"), "m.text");
  });
});

describe("contentStrings: decoded string values, never keys", () => {
  it("collects nested values in document order and skips keys and non-strings", () => {
    assert.deepEqual(contentStrings({ body: "a\"b\nc", n: 1, list: ["x", { deep: "y" }, null], spammy: true }), [
      "a\"b\nc",
      "x",
      "y",
    ]);
  });
  it("is bounded in depth", () => {
    let value: unknown = "bottom";
    for (let i = 0; i < MAX_STRING_DEPTH + 10; i++) value = { k: value };
    assert.deepEqual(contentStrings(value as Record<string, unknown>), []);
  });
  it("is cached per object", () => {
    const content = { body: "x" };
    assert.equal(contentStrings(content), contentStrings(content));
  });
  it("full-event strings exclude transient keys", () => {
    const e = event({ unsigned: { secret: "hidden" }, event_id: "$id", age_ts: 3 });
    assert.ok(!("unsigned" in eventWithoutTransientKeys(e)));
    assert.ok(eventStrings(e).includes("@alice:example.org"));
    assert.ok(!eventStrings(e).includes("hidden"));
    assert.ok(!eventStrings(e).includes("$id"));
  });
});
