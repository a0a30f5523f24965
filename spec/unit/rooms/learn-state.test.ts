import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generateSigningKey, parsePdu, type JsonObject } from "../../../src/matrix/index.js";
import { isLearnableEvent, learnRoomState, parsePowerLevels } from "../../../src/rooms/index.js";
import { TestRoom } from "../../support/room-events.js";

const KEY = generateSigningKey("rooms1");

function learn(room: TestRoom, events: JsonObject[]) {
  const result = learnRoomState(events, room.version, room.roomId);
  assert.ok(result.ok, JSON.stringify(result));
  return result.value;
}

describe("learnRoomState: display names", () => {
  const room = new TestRoom("10", "hs.test", KEY);
  const cases: [string, JsonObject, string | undefined][] = [
    ["a plain name is kept", room.member("@a:hs.test", "Alice"), "Alice"],
    ["surrounding spaces are stored untrimmed", room.member("@b:hs.test", "  Bob "), "  Bob "],
    ["an empty name is not stored", room.member("@c:hs.test", ""), undefined],
    ["a blank name (Go spaces incl. U+0085, NBSP) is not stored", room.member("@d:hs.test", " \t\u0085\u00a0\u3000"), undefined],
    ["U+FEFF is not Go whitespace, so the name counts", room.member("@e:hs.test", "\ufeff"), "\ufeff"],
    ["no display name is not stored", room.member("@f:hs.test"), undefined],
    ["a non-string display name is not stored", room.event({ type: "m.room.member", sender: "@g:hs.test", state_key: "@g:hs.test", content: { membership: "join", displayname: 5 } }), undefined],
    ["a left member is not stored", room.member("@h:hs.test", "Harry", "leave"), undefined],
    ["an invited member is not stored", room.member("@i:hs.test", "Ivy", "invite"), undefined],
    [
      "a member event about someone else is not stored",
      room.event({ type: "m.room.member", sender: "@mod:hs.test", state_key: "@j:hs.test", content: { membership: "join", displayname: "Jo" } }),
      undefined,
    ],
  ];
  for (const [name, event, expected] of cases) {
    it(name, () => {
      const learned = learn(room, [event]);
      const found = learned.facts.members.find((m) => m.userId === (event["state_key"] as string));
      assert.equal(found?.displayName, expected);
      assert.equal(learned.facts.members.length, expected === undefined ? 0 : 1);
    });
  }

  it("reads a member event with a content hash mismatch in its redacted form (no display name)", () => {
    const event = room.member("@k:hs.test", "Kim");
    const tampered = { ...event, content: { membership: "join", displayname: "Changed" } };
    assert.deepEqual(learn(room, [tampered]).facts.members, []);
  });

  it("skips events that do not parse or belong to another room, and learns the rest", () => {
    const other = new TestRoom("10", "hs.test", KEY);
    const learned = learn(room, [{ type: "m.room.member" }, other.member("@x:hs.test", "X"), room.member("@y:hs.test", "Y")]);
    assert.deepEqual(learned.facts.members, [{ userId: "@y:hs.test", displayName: "Y" }]);
    assert.equal(learned.skipped.length, 2);
    assert.match(learned.skipped[1]?.reason ?? "", /belongs to room/);
  });

  it("refuses an unknown room version", () => {
    const result = learnRoomState([], "99", room.roomId);
    assert.equal(result.ok, false);
  });
});

describe("learnRoomState: power levels", () => {
  const defaults = { ban: 50, invite: 0, kick: 50, redact: 50, users_default: 0, events_default: 0, state_default: 50 };

  it("applies the defaults to an empty power-levels event", () => {
    const room = new TestRoom("10", "hs.test", KEY);
    const learned = learn(room, [room.event({ type: "m.room.power_levels", sender: "@creator:hs.test", state_key: "", content: {} })]);
    assert.deepEqual(learned.facts.powerLevels, { ...defaults, users: {}, events: {}, notifications: { room: 50 } });
  });

  it("keeps given values, users and events", () => {
    const room = new TestRoom("11", "hs.test", KEY);
    const content = { state_default: 75, users: { "@a:hs.test": 100 }, events: { "m.room.name": 60 }, notifications: { room: 20 } };
    const learned = learn(room, [room.event({ type: "m.room.power_levels", sender: "@creator:hs.test", state_key: "", content })]);
    assert.deepEqual(learned.facts.powerLevels, {
      ...defaults,
      state_default: 75,
      users: { "@a:hs.test": 100 },
      events: { "m.room.name": 60 },
      notifications: { room: 20 },
    });
  });

  const stringLevels = { state_default: "75", users: { "@a:hs.test": " 100 " }, ban: "-5" };
  for (const version of ["1", "5", "9"]) {
    it(`accepts string-encoded levels in room version ${version}`, () => {
      const room = new TestRoom(version, "hs.test", KEY);
      const learned = learn(room, [room.event({ type: "m.room.power_levels", sender: "@creator:hs.test", state_key: "", content: stringLevels })]);
      assert.equal(learned.facts.powerLevels?.state_default, 75);
      assert.equal(learned.facts.powerLevels?.ban, -5);
      assert.deepEqual(learned.facts.powerLevels?.users, { "@a:hs.test": 100 });
    });
  }
  for (const version of ["10", "11", "12"]) {
    it(`does not learn string-encoded levels in room version ${version}`, () => {
      const room = new TestRoom(version, "hs.test", KEY);
      const learned = learn(room, [room.event({ type: "m.room.power_levels", sender: "@creator:hs.test", state_key: "", content: stringLevels })]);
      assert.equal(learned.facts.powerLevels, undefined);
      assert.match(learned.skipped[0]?.reason ?? "", /must be an integer/);
    });
  }

  it("rejects a string that does not hold an integer even in old versions", () => {
    const result = parsePowerLevels({ users: { "@a:hs.test": "lots" } }, false);
    assert.equal(result.ok, false);
    assert.match(result.ok ? "" : result.error, /users\["@a:hs.test"\]/);
  });

  it("truncates non-integer numbers in old versions and refuses them in v10+", () => {
    assert.deepEqual(parsePowerLevels({ kick: 12.9 }, false), { ok: true, value: { ...defaults, kick: 12, users: {}, events: {}, notifications: { room: 50 } } });
    assert.equal(parsePowerLevels({ kick: 12.9 }, true).ok, false);
  });

  it("takes only the first power-levels event with an empty state key", () => {
    const room = new TestRoom("10", "hs.test", KEY);
    const learned = learn(room, [
      room.event({ type: "m.room.power_levels", sender: "@creator:hs.test", state_key: "x", content: { ban: 1 } }),
      room.event({ type: "m.room.power_levels", sender: "@creator:hs.test", state_key: "", content: { ban: 2 } }),
      room.event({ type: "m.room.power_levels", sender: "@creator:hs.test", state_key: "", content: { ban: 3 } }),
    ]);
    assert.equal(learned.facts.powerLevels?.ban, 2);
  });

  it("leaves power levels unknown when the state has none", () => {
    const room = new TestRoom("10", "hs.test", KEY);
    assert.equal(learn(room, [room.member("@a:hs.test", "A")]).facts.powerLevels, undefined);
  });
});

describe("learnRoomState: creators", () => {
  it("records the create sender and valid additional creators in v12", () => {
    const room = new TestRoom("12", "hs.test", KEY, "@owner:hs.test", {
      additional_creators: ["@co:hs.test", "not a user", "@owner:hs.test", 7, "@co2:other.test"],
    });
    const learned = learn(room, [room.createEvent]);
    assert.deepEqual(learned.facts.creators, ["@owner:hs.test", "@co:hs.test", "@co2:other.test"]);
  });

  it("records an empty list for a v12 room whose create event is missing", () => {
    const room = new TestRoom("12", "hs.test", KEY);
    assert.deepEqual(learn(room, [room.member("@a:hs.test", "A")]).facts.creators, []);
  });

  for (const version of ["1", "10", "11"]) {
    it(`records no creators in room version ${version}`, () => {
      const room = new TestRoom(version, "hs.test", KEY, "@owner:hs.test", { additional_creators: ["@co:hs.test"] });
      assert.equal(learn(room, [room.createEvent]).facts.creators, undefined);
    });
  }
});

describe("learnRoomState: policy rules", () => {
  const room = new TestRoom("10", "hs.test", KEY);
  const rule = (type: string, stateKey: string, content: JsonObject) =>
    room.event({ type, sender: "@mod:hs.test", state_key: stateKey, content });
  const cases: [string, JsonObject, { entityType: string; entityId: string } | undefined][] = [
    ["a user ban", rule("m.policy.rule.user", "r1", { entity: "@spam*:evil.test", recommendation: "m.ban", reason: "spam" }), { entityType: "m.policy.rule.user", entityId: "@spam*:evil.test" }],
    ["a server ban", rule("m.policy.rule.server", "r2", { entity: "*.evil.test", recommendation: "m.ban" }), { entityType: "m.policy.rule.server", entityId: "*.evil.test" }],
    ["a room rule is ignored (README)", rule("m.policy.rule.room", "r3", { entity: "!x:evil.test", recommendation: "m.ban" }), undefined],
    ["a non-ban recommendation is ignored", rule("m.policy.rule.user", "r4", { entity: "@a:evil.test", recommendation: "org.matrix.mjolnir.ban" }), undefined],
    ["an empty entity is ignored", rule("m.policy.rule.user", "r5", { entity: "", recommendation: "m.ban" }), undefined],
    ["a non-string entity is ignored", rule("m.policy.rule.user", "r6", { entity: ["@a:evil.test"], recommendation: "m.ban" }), undefined],
    ["an empty state key is ignored", rule("m.policy.rule.user", "", { entity: "@a:evil.test", recommendation: "m.ban" }), undefined],
    ["a removed rule (empty content) is ignored", rule("m.policy.rule.user", "r7", {}), undefined],
  ];
  for (const [name, event, expected] of cases) {
    it(name, () => {
      assert.deepEqual(learn(room, [event]).banRules, expected === undefined ? [] : [expected]);
    });
  }

  it("removes duplicate rules", () => {
    const learned = learn(room, [
      rule("m.policy.rule.user", "a", { entity: "@x:evil.test", recommendation: "m.ban" }),
      rule("m.policy.rule.user", "b", { entity: "@x:evil.test", recommendation: "m.ban" }),
    ]);
    assert.equal(learned.banRules.length, 1);
  });
});

describe("isLearnableEvent", () => {
  const v10 = new TestRoom("10", "hs.test", KEY);
  const v12 = new TestRoom("12", "hs.test", KEY);
  const pdu = (room: TestRoom, event: JsonObject) => {
    const parsed = parsePdu(event, room.version);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    return parsed.value;
  };
  const cases: [string, TestRoom, JsonObject, boolean][] = [
    ["a self-join", v10, v10.member("@a:hs.test", "A"), true],
    ["a self-join without display name", v10, v10.member("@a:hs.test"), true],
    ["a leave", v10, v10.member("@a:hs.test", undefined, "leave"), false],
    ["a join by someone else", v10, v10.event({ type: "m.room.member", sender: "@m:hs.test", state_key: "@a:hs.test", content: { membership: "join" } }), false],
    ["power levels", v10, v10.event({ type: "m.room.power_levels", sender: "@m:hs.test", state_key: "", content: {} }), true],
    ["a user ban rule", v10, v10.event({ type: "m.policy.rule.user", sender: "@m:hs.test", state_key: "r", content: { entity: "@x:y", recommendation: "m.ban" } }), true],
    ["a server ban rule", v10, v10.event({ type: "m.policy.rule.server", sender: "@m:hs.test", state_key: "r", content: { entity: "y", recommendation: "m.ban" } }), true],
    ["a room ban rule", v10, v10.event({ type: "m.policy.rule.room", sender: "@m:hs.test", state_key: "r", content: { entity: "!r:y", recommendation: "m.ban" } }), false],
    ["a message", v10, v10.event({ type: "m.room.message", sender: "@m:hs.test", content: { body: "hi" } }), false],
    ["a v10 create event", v10, v10.createEvent, false],
    ["a v12 create event", v12, v12.createEvent, true],
  ];
  for (const [name, room, event, expected] of cases) {
    it(`${name} → ${expected}`, () => {
      assert.equal(isLearnableEvent(pdu(room, event), room.version), expected);
    });
  }
});
